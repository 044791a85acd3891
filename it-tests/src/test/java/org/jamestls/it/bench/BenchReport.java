package org.jamestls.it.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run's tables (throughput and resources; round trips and sessions), the ratios against issue 10's targets,
 * for the console and as this run's Markdown section of benchmark-results.md ({@link ResultsFile}).
 */
final class BenchReport {

    /** One ratio with its target; {@code met} null when it cannot be judged (a value is missing). */
    private static final class Ratio {
        final String name;
        final double value;
        final String target;
        final Boolean met;

        Ratio(String name, double value, String target, Boolean met) {
            this.name = name;
            this.value = value;
            this.target = target;
            this.met = met;
        }

        String verdict(boolean markdown) {
            if (met == null) {
                return "n/a";
            }
            return met ? (markdown ? "met" : "MET") : (markdown ? "**missed**" : "MISSED");
        }
    }

    private static final String[] THROUGHPUT = {"path", "mails/s", "mails/s per round", "window s", "p50 ms", "p99 ms",
        "max ms", "longest pause ms", "TLS handshakes (full+resumed)", "per 1000 mails", "connections",
        "James heap MB (live after GC)", "James accepted in s", "CPU s James/sinks (proxy)/client", "James CPU ms/mail"};
    private static final String[] ROUND_TRIPS = {"path", "round trips/mail", "per mail on reused sessions",
        "setup per session", "sessions opened", "max open at once", "max in use at once", "round-trip bound mails/s",
        "rate/bound",
        "pipelined commands", "BDAT mails", "post-dot groups"};

    private final BenchSettings settings;
    private final MachineInfo machine;
    private final Map<BenchPath, List<PhaseResult>> results;
    private final String loadAtEnd;
    private final List<Ratio> ratios = new ArrayList<>();

    BenchReport(BenchSettings settings, MachineInfo machine, Map<BenchPath, List<PhaseResult>> results,
                String loadAtEnd) {
        this.settings = settings;
        this.machine = machine;
        this.results = results;
        this.loadAtEnd = loadAtEnd;
        ratios();
    }

    private void ratios() {
        PhaseResult ceiling = median(BenchPath.CEILING);
        PhaseResult stock = median(BenchPath.STOCK);
        PhaseResult required = median(BenchPath.REQUIRED);
        PhaseResult no = median(BenchPath.NO);
        PhaseResult drain = median(BenchPath.DRAIN_REQUIRED);
        boolean loopback = settings.rtt.isZero();
        if (required != null && stock != null) {
            double target = loopback ? 4 : 5;
            ratio("ours/stock (tls=required vs stock startTLS)", required.mailsPerSecond / stock.mailsPerSecond,
                ">= " + (int) target + (loopback ? " (loopback)" : " (stated for 50 ms)"), v -> v >= target);
        }
        if (required != null && ceiling != null) {
            ratio("ours/ceiling (tls=required vs ceiling client)", required.mailsPerSecond / ceiling.mailsPerSecond,
                ">= 0.8", v -> v >= 0.8);
        }
        if (drain != null && ceiling != null) {
            ratio("drain/ceiling (drain tls=required vs ceiling client)", drain.mailsPerSecond / ceiling.mailsPerSecond,
                ">= 0.8 (loopback)", v -> v >= 0.8);
        }
        if (required != null && no != null) {
            ratio("required/no (TlsRemoteDelivery, median rounds)", required.mailsPerSecond / no.mailsPerSecond,
                ">= 0.85", v -> v >= 0.85);
            List<PhaseResult> req = results.get(BenchPath.REQUIRED);
            List<PhaseResult> plain = results.get(BenchPath.NO);
            double worst = Double.MAX_VALUE;
            for (int i = 0; i < Math.min(req.size(), plain.size()); i++) {
                worst = Math.min(worst, req.get(i).mailsPerSecond / plain.get(i).mailsPerSecond);
            }
            ratio("required/no (TlsRemoteDelivery, worst round)", worst, ">= 0.85 in every round", v -> v >= 0.85);
        }
        if (required != null) {
            double handshakes = results.get(BenchPath.REQUIRED).stream().mapToDouble(PhaseResult::handshakesPer1000)
                .max().orElse(Double.NaN);
            ratio("TLS handshakes per 1,000 mails (tls=required, worst round)", handshakes, "<= 50", v -> v <= 50);
            boolean shortcut = required.stats.bdatMessages > 0 || required.stats.postDotPipelining > 0;
            double limit = shortcut ? 1.5 : 2;
            ratio("round trips per mail on a reused session (tls=required)", required.roundTripsPerReusedMail(),
                "<= " + (shortcut ? "1.5 (BDAT or post-dot pipelining seen)" : "2 (1.5 with BDAT or post-dot)"),
                v -> v <= limit);
            if (!loopback) {
                ratio("ours rate / its round-trip bound (tls=required)",
                    required.mailsPerSecond / required.roundTripBound(settings.rtt), ">= 0.8", v -> v >= 0.8);
            }
        }
    }

    private interface Check {
        boolean met(double value);
    }

    private void ratio(String name, double value, String target, Check check) {
        ratios.add(new Ratio(name, value, target, Double.isNaN(value) ? null : check.met(value)));
    }

    /** The round with the median rate (the lower middle one for an even number of rounds); null if not run. */
    private PhaseResult median(BenchPath path) {
        List<PhaseResult> rounds = results.get(path);
        return rounds == null || rounds.isEmpty() ? null : median(rounds);
    }

    static PhaseResult median(List<PhaseResult> rounds) {
        List<PhaseResult> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(r -> r.mailsPerSecond));
        return sorted.get((sorted.size() - 1) / 2);
    }

    List<String> problems() {
        List<String> all = new ArrayList<>();
        for (List<PhaseResult> rounds : results.values()) {
            for (PhaseResult p : rounds) {
                p.problems.forEach(problem -> all.add(p.label + " (" + p.phase + "): " + problem));
            }
        }
        return all;
    }

    private List<String[]> throughputRows() {
        List<String[]> rows = new ArrayList<>();
        for (List<PhaseResult> rounds : results.values()) {
            PhaseResult p = median(rounds);
            StringBuilder perRound = new StringBuilder();
            for (PhaseResult r : rounds) {
                perRound.append(perRound.length() == 0 ? "" : " ").append(f1(r.mailsPerSecond));
            }
            rows.add(new String[] {p.label, f1(p.mailsPerSecond), perRound.toString(), f2(p.seconds), f1(p.p50Ms),
                f1(p.p99Ms), f1(p.maxMs), f1(p.longestPauseMs),
                p.stats.handshakes() + " (" + p.stats.tlsFull + "+" + p.stats.tlsResumed + ")",
                f1(p.handshakesPer1000()), Integer.toString(p.stats.connections),
                p.heap == null ? "-" : f1(p.heap.usedMb) + " (" + f1(p.heap.liveMb) + ")",
                Double.isNaN(p.acceptSeconds) ? "-" : f2(p.acceptSeconds),
                f1(p.cpu.james) + "/" + f1(p.cpu.sink) + " (" + f1(p.proxyCpu) + ")/" + f1(p.cpu.bench),
                p.heap == null ? "-" : f2(p.cpu.james * 1000 / p.mails)});
        }
        return rows;
    }

    private List<String[]> roundTripRows() {
        List<String[]> rows = new ArrayList<>();
        for (List<PhaseResult> rounds : results.values()) {
            PhaseResult p = median(rounds);
            double bound = p.roundTripBound(settings.rtt);
            rows.add(new String[] {p.label, f2(p.roundTripsPerMail()), f2(p.roundTripsPerReusedMail()),
                f2(p.setupRoundTripsPerSession()), Long.toString(p.sessionsOpened()),
                p.stats.proxied ? Long.toString(p.stats.proxyMaxOpen) : "-",
                p.stats.proxied ? Long.toString(p.stats.proxyMaxInUse) : "-", f1(bound), f2(p.mailsPerSecond / bound),
                Long.toString(p.stats.pipelinedCommands), Integer.toString(p.stats.bdatMessages),
                Long.toString(p.stats.postDotPipelining)});
        }
        return rows;
    }

    /** Plain-text tables and ratios for the console. */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(settings.command()).append('\n').append(workload()).append("\n\n");
        sb.append(plainTable(THROUGHPUT, throughputRows())).append('\n');
        sb.append(plainTable(ROUND_TRIPS, roundTripRows())).append('\n');
        for (Ratio r : ratios) {
            sb.append(String.format(Locale.ROOT, "%-62s %8s   target %-40s %s%n", r.name, f2(r.value), r.target,
                r.verdict(false)));
        }
        List<String> problems = problems();
        sb.append(problems.isEmpty()
            ? "\nCounts: every phase delivered each mail exactly once, over the expected channel, no protocol error.\n"
            : "\nDELIVERY CHECK FAILED (counts, channel or protocol), the run fails:\n  " + String.join("\n  ", problems)
                + "\n");
        return sb.toString();
    }

    /** This run's section of benchmark-results.md (without the file's preamble). */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("## RTT ").append(settings.rtt.toMillis()).append(" ms").append(settings.proxy ? "" : ", no proxy")
            .append(": `").append(settings.command()).append("`\n\n");
        sb.append("- Date: ").append(machine.date).append('\n');
        sb.append("- Machine: ").append(machine.cpu).append(", ").append(machine.cores).append(" CPUs (nproc), ")
            .append(machine.memory).append(" RAM; load average at start ").append(machine.loadAverage)
            .append(", at end ").append(loadAtEnd).append(" (other developers build on this machine: noisy)\n");
        sb.append("- JDK: ").append(machine.jdk).append("; OS: ").append(machine.os).append('\n');
        sb.append("- Code: ").append(machine.code).append('\n');
        sb.append("- Workload: ").append(workload()).append("\n\n");
        sb.append(markdownTable(THROUGHPUT, throughputRows())).append('\n');
        sb.append(markdownTable(ROUND_TRIPS, roundTripRows())).append('\n');
        sb.append("| ratio | value | target | |\n| --- | ---: | --- | --- |\n");
        for (Ratio r : ratios) {
            sb.append("| ").append(r.name).append(" | ").append(f2(r.value)).append(" | ").append(r.target).append(" | ")
                .append(r.verdict(true)).append(" |\n");
        }
        sb.append("\nEvery phase delivered each of its mails exactly once (checked by the sinks), over TLS except ")
            .append("for tls=no, and the sinks answered no command with an error.\n");
        return sb.toString();
    }

    private String workload() {
        return String.format(Locale.ROOT, "%d round(s) of %d mails of %d bytes per path, the tables show each path's "
                + "median round (after %d warm-up mails per path); one recipient each, to %d domains on %d MX "
                + "address(es) (port 25: %s); sinks offer STARTTLS, 8BITMIME, SIZE%s%s; %d delivery threads per path "
                + "(TlsRemoteDelivery otherwise at its defaults%s), %d ceiling client session(s); James 3.8.1 memory "
                + "server (-Xmx512m) fed over %d SMTP connections (lock-step).",
            settings.rounds, settings.mails, BenchMail.SIZE, settings.warmup, settings.domains, settings.mxAddresses,
            settings.proxy ? "delaying proxy, RTT " + settings.rtt.toMillis() + " ms" : "the sinks, no proxy",
            settings.pipelining ? ", PIPELINING" : "", settings.chunking ? ", CHUNKING" : "",
            DeliveryBenchmark.DELIVERY_THREADS, settings.ours.isEmpty() ? "" : "; -Dbench.ours " + settings.ours,
            settings.ceilingSessions, settings.submitters);
    }

    private static String plainTable(String[] columns, List<String[]> body) {
        List<String[]> rows = new ArrayList<>();
        rows.add(columns);
        rows.addAll(body);
        int[] width = new int[columns.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(String.format(i == 0 ? "%-" + width[i] + "s" : "  %" + width[i] + "s", r[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String markdownTable(String[] columns, List<String[]> body) {
        StringBuilder sb = new StringBuilder("|");
        for (String c : columns) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|");
        for (int i = 0; i < columns.length; i++) {
            sb.append(i == 0 ? " --- |" : " ---: |");
        }
        sb.append('\n');
        for (String[] r : body) {
            sb.append('|');
            for (String c : r) {
                sb.append(' ').append(c).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String f1(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
