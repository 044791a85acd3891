package org.jamestls.it.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The printed table, the ratios against the targets, and the same as Markdown for benchmark-results.md. */
final class BenchReport {

    /** One ratio with its target. */
    private static final class Ratio {
        final String name;
        final double value;
        final String target;
        final boolean met;

        Ratio(String name, double value, String target, boolean met) {
            this.name = name;
            this.value = value;
            this.target = target;
            this.met = met;
        }
    }

    private static final String[] COLUMNS = {"path", "mails/s", "mails/s per round", "window s", "p50 ms", "p99 ms",
        "max ms", "longest pause ms", "TLS handshakes (full+resumed)", "per 1000 mails", "connections",
        "James heap MB (live after GC)", "James accepted in s", "CPU s James/sink/client", "James CPU ms/mail"};

    private final DeliveryBenchmark.Settings settings;
    private final MachineInfo machine;
    /** Every round of each path, in the table's order. */
    private final List<List<PhaseResult>> paths;
    private final List<Ratio> ratios = new ArrayList<>();

    BenchReport(DeliveryBenchmark.Settings settings, MachineInfo machine, List<PhaseResult> ceiling,
                List<PhaseResult> stock, List<PhaseResult> required, List<PhaseResult> no) {
        this.settings = settings;
        this.machine = machine;
        this.paths = List.of(ceiling, stock, required, no);
        double oursStock = median(required).mailsPerSecond / median(stock).mailsPerSecond;
        double oursCeiling = median(required).mailsPerSecond / median(ceiling).mailsPerSecond;
        double requiredNo = median(required).mailsPerSecond / median(no).mailsPerSecond;
        double handshakes = required.stream().mapToDouble(PhaseResult::handshakesPer1000).max().orElse(Double.NaN);
        ratios.add(new Ratio("ours/stock (tls=required vs stock startTLS)", oursStock, ">= 3", oursStock >= 3));
        ratios.add(new Ratio("ours/ceiling (tls=required vs plain client)", oursCeiling, ">= 0.8", oursCeiling >= 0.8));
        ratios.add(new Ratio("required/no (TlsRemoteDelivery)", requiredNo, ">= 0.85", requiredNo >= 0.85));
        ratios.add(new Ratio("TLS handshakes per 1,000 mails (tls=required, worst round)", handshakes, "<= 50",
            handshakes <= 50));
    }

    /** The round with the median rate (the lower middle one for an even number of rounds). */
    static PhaseResult median(List<PhaseResult> rounds) {
        List<PhaseResult> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(r -> r.mailsPerSecond));
        return sorted.get((sorted.size() - 1) / 2);
    }

    List<String> problems() {
        List<String> all = new ArrayList<>();
        for (List<PhaseResult> rounds : paths) {
            for (PhaseResult p : rounds) {
                p.problems.forEach(problem -> all.add(p.label + " (" + p.phase + "): " + problem));
            }
        }
        return all;
    }

    private List<String[]> rows() {
        List<String[]> rows = new ArrayList<>();
        for (List<PhaseResult> rounds : paths) {
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
                f1(p.cpu.james) + "/" + f1(p.cpu.sink) + "/" + f1(p.cpu.bench),
                p.heap == null ? "-" : f2(p.cpu.james * 1000 / p.mails)});
        }
        return rows;
    }

    /** Plain-text table and ratios for the console. */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(workload()).append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(COLUMNS);
        rows.addAll(rows());
        int[] width = new int[COLUMNS.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                String format = i == 0 ? "%-" + width[i] + "s" : "  %" + width[i] + "s";
                sb.append(String.format(format, r[i]));
            }
            sb.append('\n');
        }
        sb.append('\n');
        for (Ratio r : ratios) {
            sb.append(String.format(Locale.ROOT, "%-60s %8.2f   target %-7s %s%n", r.name, r.value, r.target,
                r.met ? "MET" : "MISSED"));
        }
        List<String> problems = problems();
        sb.append(problems.isEmpty()
            ? "\nCounts: every phase delivered each mail exactly once, over the expected channel.\n"
            : "\nDELIVERY CHECK FAILED (counts or channel), the run fails:\n  " + String.join("\n  ", problems) + "\n");
        return sb.toString();
    }

    /** benchmark-results.md. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Delivery benchmark results\n\n");
        sb.append("Written by `./benchmark.sh` (Maven profile `benchmark` of it-tests, class ")
            .append("`org.jamestls.it.bench.DeliveryBenchmark`); every successful run overwrites this file. ")
            .append("What is measured and how: README.md, section \"Benchmark\".\n\n");
        sb.append("- Date: ").append(machine.date).append('\n');
        sb.append("- Machine: ").append(machine.cpu).append(", ").append(machine.cores).append(" CPUs (nproc), ")
            .append(machine.memory).append(" RAM, load average at start ").append(machine.loadAverage).append('\n');
        sb.append("- JDK: ").append(machine.jdk).append("; OS: ").append(machine.os).append('\n');
        sb.append("- Code: ").append(machine.code).append('\n');
        sb.append("- Command: `").append(settings.command()).append("`\n");
        sb.append("- Workload: ").append(workload()).append("\n\n");
        sb.append('|');
        for (String c : COLUMNS) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|");
        for (int i = 0; i < COLUMNS.length; i++) {
            sb.append(i == 0 ? " --- |" : " ---: |");
        }
        sb.append('\n');
        for (String[] r : rows()) {
            sb.append('|');
            for (String c : r) {
                sb.append(' ').append(c).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\n| ratio | value | target | |\n| --- | ---: | --- | --- |\n");
        for (Ratio r : ratios) {
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s |%n", r.name, r.value, r.target,
                r.met ? "met" : "**missed**"));
        }
        sb.append("\nEvery phase delivered each of its mails exactly once (checked by the sinks), over TLS except ")
            .append("for tls=no.\n\n");
        sb.append("How to read it:\n\n")
            .append("- Each row is the path's median round by mails/s; \"mails/s per round\" lists every round ")
            .append("(rounds run the four paths in turn). Ratios use the median rounds; the handshake target ")
            .append("the worst round.\n")
            .append("- mails/s: mails / window; window = first 250 James gave to a submitted mail (ceiling: the ")
            .append("client's start) to the last 250 a sink gave.\n")
            .append("- p50/p99/max: per mail, James's 250 to the sink's 250 (queueing in James included); ceiling: ")
            .append("the client beginning the transaction to the sink's 250, connection setup included.\n")
            .append("- longest pause: the longest time between two consecutive mails arriving at the sinks, while ")
            .append("mails of the phase were still on their way.\n")
            .append("- TLS handshakes: STARTTLS handshakes the sinks completed in the phase, full + resumed (TLS ")
            .append("session resumption); connections: TCP connections the sinks accepted in the phase.\n")
            .append("- James heap: `jcmd GC.heap_info` right after the phase, and (live) after `jcmd GC.run`.\n")
            .append("- James accepted in: first to last 250 James gave the submitter (").append(settings.submitters)
            .append(" connections, no pipelining): when it is close to the window, submission limits the rate.\n")
            .append("- CPU s: CPU time (user + system) James, the sink JVM and the benchmark JVM (submitter, or the ")
            .append("ceiling client) used during the phase; all share the machine's ").append(machine.cores)
            .append(" CPUs, so CPU s / window / ").append(machine.cores).append(" is how busy the machine was.\n");
        return sb.toString();
    }

    private String workload() {
        return String.format(Locale.ROOT, "%d rounds of %d mails of %d bytes per path, the table shows each path's "
                + "median round (after %d warm-up mails per path); one recipient each, to %d domains whose MX (one "
                + "sink address each, port 25) offer STARTTLS; %d delivery threads per path and %d ceiling client "
                + "threads; James 3.8.1 memory server (-Xmx512m) fed over %d SMTP connections.",
            settings.rounds, settings.mails, BenchMail.SIZE, settings.warmup, BenchMail.DOMAINS,
            DeliveryBenchmark.THREADS, DeliveryBenchmark.THREADS, settings.submitters);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
