package org.jamestls.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.Processes;

/**
 * What one benchmark phase measured at the sink: the rate from the first start (first acceptance by James, the
 * ceiling client's start, or the release of a held queue) to the last acceptance by the sinks, per-mail latencies,
 * the sink's and the proxy's counters (round trips, sessions), and every problem (missing, duplicate, unexpected
 * or truncated mail, wrong channel, a protocol error the sinks answered, improper pipelining). Each mail's times go
 * to target/it-work/bench/phases/PHASE.csv.
 */
final class PhaseResult {

    final String label;
    final String phase;
    final int mails;
    final double seconds;
    final double mailsPerSecond;
    final double p50Ms;
    final double p99Ms;
    final double maxMs;
    /** Longest time between two consecutive mails arriving at the sinks, ms. */
    final double longestPauseMs;
    final SinkProcess.Stats stats;
    /** James's acceptance window (first to last 250 to the submitted DATA), seconds; NaN for the ceiling. */
    final double acceptSeconds;
    final List<String> problems;
    JamesHeap.Usage heap;
    CpuTime cpu;
    /** CPU seconds of the proxy thread (inside the sink JVM, so part of {@code cpu.sink}); NaN without proxy. */
    double proxyCpu = Double.NaN;

    private PhaseResult(String label, String phase, int mails, double seconds, double p50Ms, double p99Ms, double maxMs,
                        double longestPauseMs, SinkProcess.Stats stats, double acceptSeconds, List<String> problems) {
        this.label = label;
        this.phase = phase;
        this.mails = mails;
        this.seconds = seconds;
        this.mailsPerSecond = mails / seconds;
        this.p50Ms = p50Ms;
        this.p99Ms = p99Ms;
        this.maxMs = maxMs;
        this.longestPauseMs = longestPauseMs;
        this.stats = stats;
        this.acceptSeconds = acceptSeconds;
        this.problems = problems;
    }

    double handshakesPer1000() {
        return stats.handshakes() * 1000.0 / mails;
    }

    /** Round trips the clients waited for (proxy), per mail, connection setup and QUIT included; NaN without proxy. */
    double roundTripsPerMail() {
        return stats.proxied ? (double) stats.proxyRoundTrips / mails : Double.NaN;
    }

    /** Round trips from one MAIL to the next on the same session (setup excluded); NaN when no session had two. */
    double roundTripsPerReusedMail() {
        return stats.reusedTransactions > 0 ? (double) stats.reusedRoundTrips / stats.reusedTransactions : Double.NaN;
    }

    /** Round trips before a session's first MAIL (greeting, EHLO, STARTTLS, handshake, EHLO). */
    double setupRoundTripsPerSession() {
        return stats.sessionsWithMail > 0 ? (double) stats.setupRoundTrips / stats.sessionsWithMail : Double.NaN;
    }

    /** Sessions the clients opened (at the proxy; at the sinks without it). */
    long sessionsOpened() {
        return stats.proxied ? stats.proxySessionsOpened : stats.connections;
    }

    /**
     * The round-trip bound, mails/s: sessions in use at once (the most whose clients waited for a reply at the same
     * time; idle pooled sessions do not carry mail) / (round trips per mail x RTT), i.e. what this many sessions
     * could carry if the RTT were the only cost. NaN at RTT 0 or without the proxy.
     */
    double roundTripBound(java.time.Duration rtt) {
        if (!stats.proxied || rtt.isZero() || stats.proxyRoundTrips <= 0) {
            return Double.NaN;
        }
        return stats.proxyMaxInUse / (roundTripsPerMail() * rtt.toNanos() / 1e9);
    }

    /**
     * Waits (bounded: {@code timeout} overall, {@code stall} without a new mail) until the sink counted
     * {@code startMicros.length} mails of {@code phase}, then one more second for stragglers, and checks them.
     *
     * @param startMicros by mail number: when James accepted it (or the ceiling client began to send it)
     * @param firstMicros start of the measured window
     * @param acceptSeconds James's acceptance window, NaN if none
     */
    static PhaseResult collect(String label, String phase, boolean overTls, SinkProcess sink, long[] startMicros,
                               long firstMicros, double acceptSeconds, Duration timeout, Duration stall)
        throws IOException {
        int n = startMicros.length;
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastProgress = System.nanoTime();
        int seen = -1;
        for (int i = 0; i < 1_000_000 && System.nanoTime() - deadline < 0; i++) {
            int count = sink.stats().messages;
            if (count >= n) {
                break;
            }
            if (count != seen) {
                seen = count;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
                break;
            }
            Processes.sleep(Duration.ofMillis(100));
        }
        Processes.sleep(Duration.ofSeconds(1));
        SinkProcess.Stats stats = sink.stats();
        List<SinkProcess.Received> records = sink.records();

        List<String> problems = new ArrayList<>();
        Map<Integer, SinkProcess.Received> byMail = new HashMap<>();
        int duplicates = 0;
        int unexpected = 0;
        int wrongChannel = 0;
        long lastMicros = firstMicros;
        for (SinkProcess.Received r : records) {
            int seq = mailNumber(phase, r.id, n);
            if (seq < 0) {
                unexpected++;
                continue;
            }
            if (byMail.putIfAbsent(seq, r) != null) {
                duplicates++;
            }
            if (r.tls != overTls) {
                wrongChannel++;
            }
            lastMicros = Math.max(lastMicros, r.micros);
        }
        int missing = n - byMail.size();
        addIf(problems, stats.messages != n, "the sinks received " + stats.messages + " messages, expected " + n);
        addIf(problems, missing > 0, missing + " mails never arrived");
        addIf(problems, duplicates > 0, duplicates + " mails arrived more than once");
        addIf(problems, unexpected > 0, unexpected + " messages that are not mails of this phase");
        addIf(problems, stats.truncated > 0, stats.truncated + " messages without their end marker");
        addIf(problems, wrongChannel > 0, wrongChannel + " mails arrived " + (overTls ? "in plaintext" : "over TLS"));
        addIf(problems, stats.errorReplies > 0, "the sinks answered " + stats.errorReplies
            + " commands with an error (see target/it-work/bench/sink/sink.log)");
        addIf(problems, stats.improperPipelining > 0, stats.improperPipelining
            + " times input was waiting behind EHLO/DATA/NOOP before its reply (RFC 2920 3.1)");
        addIf(problems, stats.unadvertisedPipelining > 0, stats.unadvertisedPipelining
            + " commands pipelined although the sinks did not offer PIPELINING");
        addIf(problems, stats.plaintextAfterStartTls > 0, stats.plaintextAfterStartTls
            + " times plaintext was pipelined behind STARTTLS");

        double[] latencies = new double[byMail.size()];
        List<String> csv = new ArrayList<>(List.of("mail,start_us,sink_us,latency_ms,tls"));
        int k = 0;
        for (Map.Entry<Integer, SinkProcess.Received> e : byMail.entrySet()) {
            SinkProcess.Received r = e.getValue();
            latencies[k++] = (r.micros - startMicros[e.getKey()]) / 1000.0;
            csv.add(e.getKey() + "," + startMicros[e.getKey()] + "," + r.micros + "," + latencies[k - 1] + "," + r.tls);
        }
        Arrays.sort(latencies);
        long[] arrivals = byMail.values().stream().mapToLong(r -> r.micros).sorted().toArray();
        long longestPause = 0;
        for (int i = 1; i < arrivals.length; i++) {
            longestPause = Math.max(longestPause, arrivals[i] - arrivals[i - 1]);
        }
        Path csvFile = ItPaths.workDir().resolve("bench/phases/" + phase + ".csv");
        Files.createDirectories(csvFile.getParent());
        Files.write(csvFile, csv);
        double seconds = Math.max(1, lastMicros - firstMicros) / 1e6;
        return new PhaseResult(label, phase, n, seconds, percentile(latencies, 50), percentile(latencies, 99),
            percentile(latencies, 100), longestPause / 1000.0, stats,
            acceptSeconds, problems);
    }

    private static int mailNumber(String phase, String id, int n) {
        if (!id.startsWith(phase + "-")) {
            return -1;
        }
        try {
            int seq = Integer.parseInt(id.substring(phase.length() + 1));
            return seq >= 0 && seq < n ? seq : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Nearest-rank percentile of sorted values; NaN when there are none. */
    private static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void addIf(List<String> problems, boolean condition, String problem) {
        if (condition) {
            problems.add(problem);
        }
    }
}
