package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.DnsServer;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TrustAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery benchmark ({@code ./benchmark.sh}, Maven profile {@code benchmark}; not part of {@code mvn verify}).
 * In one run, against one James 3.8.1 (bench-mailetcontainer.xml: three delivery paths chosen by the sender) and
 * one {@link SmtpSink} JVM listening on port 25 of 127.0.1.1-10 (the MX of bench1.test .. bench10.test in dnsmasq):
 * <ol>
 *   <li>ceiling: {@link #THREADS} threads of a plain SMTP client send straight to the sinks, STARTTLS once per
 *       connection and one connection per sink and thread, kept for all their mails;</li>
 *   <li>N mails through James per path: stock RemoteDelivery (startTLS), TlsRemoteDelivery tls=required,
 *       TlsRemoteDelivery tls=no, each preceded by nothing else in flight and by no open sink connection.</li>
 * </ol>
 * A warm-up of {@code bench.warmup} mails per path runs first, then {@code bench.rounds} rounds of the four
 * phases; the report shows each path's median round. The run fails if any phase does not deliver each
 * mail exactly once, complete, over the expected channel; the targets are reported, never asserted. The results
 * go to the console and, when the counts are right, to {@code bench.results.file} (it-tests/benchmark-results.md).
 */
class DeliveryBenchmark {

    /** Delivery threads of every path (bench-mailetcontainer.xml) and threads of the ceiling client. */
    static final int THREADS = 4;

    private static final int SINK_PORT = 25;
    private static final String CONTROL_HOST = "127.0.1.1";
    private static final int CONTROL_PORT = 10999;
    /**
     * TTL of the benchmark's MX and A records. Real MX records live minutes to hours, so James's DNS cache
     * answers most lookups; with the tests' TTL 0 every delivery (stock and ours alike) queries dnsmasq,
     * and profiling showed dnsjava lookups occasionally stalling for 1 s. -Dbench.dnsTtl=0 shows that case.
     */
    private static final int DNS_TTL_SECONDS = Integer.getInteger("bench.dnsTtl", 300);
    private static final Duration STALL = Duration.ofSeconds(120);

    /** Knobs, from system properties (Maven -D...). */
    static final class Settings {
        final int mails = Integer.getInteger("bench.mails", 1000);
        /** Mails per path before measuring; -1 (the default): as many as {@link #mails}, so the JIT is warm. */
        final int warmup = warmup(Integer.getInteger("bench.warmup", -1), mails);
        final int submitters = Integer.getInteger("bench.submitters", 8);
        final int rounds = Integer.getInteger("bench.rounds", 3);
        final Path resultsFile = Path.of(System.getProperty("bench.results.file", "benchmark-results.md"));

        String command() {
            return "./benchmark.sh" + (mails == 1000 ? "" : " -Dbench.mails=" + mails)
                + (warmup == mails ? "" : " -Dbench.warmup=" + warmup)
                + (submitters == 8 ? "" : " -Dbench.submitters=" + submitters)
                + (rounds == 3 ? "" : " -Dbench.rounds=" + rounds);
        }

        private static int warmup(int requested, int mails) {
            return requested < 0 ? mails : requested;
        }

        Duration timeout(int n) {
            return Duration.ofSeconds(120 + n / 2);
        }
    }

    /** A delivery path through James, chosen by the envelope sender. */
    enum Route {
        STOCK("stock", "stock@bench.test", "stock RemoteDelivery (startTLS)", true),
        REQUIRED("required", "tlsrequired@bench.test", "TlsRemoteDelivery tls=required", true),
        NO("no", "tlsno@bench.test", "TlsRemoteDelivery tls=no", false);

        final String phase;
        final String sender;
        final String label;
        final boolean overTls;

        Route(String phase, String sender, String label, boolean overTls) {
            this.phase = phase;
            this.sender = sender;
            this.label = label;
            this.overTls = overTls;
        }
    }

    private final Settings settings = new Settings();

    @Test
    void compareDeliveryPaths() throws Exception {
        assertThat(settings.mails).as("bench.mails").isPositive();
        assertThat(settings.rounds).as("bench.rounds").isPositive();
        MachineInfo machine = MachineInfo.collect(ItPaths.configSamples().getParent());
        Path work = ItPaths.workDir().resolve("bench");
        try (SinkProcess sink = SinkProcess.start(work.resolve("sink"), sinkAddresses(), SINK_PORT, CONTROL_HOST,
                 CONTROL_PORT);
             DnsServer dns = DnsServer.onDefaultAddress(work.resolve("dns"), records()).withTtl(DNS_TTL_SECONDS).start();
             JamesServer james = JamesServer.withConfig(jamesConfig())) {
            james.start();
            james.awaitLog("TlsRemoteDelivery started: queue=tls-outgoing .*smtpPort=25 ", Duration.ofSeconds(30));
            james.awaitLog("TlsRemoteDelivery started: queue=tls-outgoing-no .*smtpPort=25 ", Duration.ofSeconds(30));
            System.out.printf("%nDelivery benchmark: James pid %d, sink pid %d, %d mails per path%n", james.pid(),
                sink.pid(), settings.mails);

            if (settings.warmup > 0) {
                requireClean(ceiling(james, sink, "warm-ceiling", settings.warmup));
                for (Route route : Route.values()) {
                    requireClean(throughJames(james, sink, route, "warm-" + route.phase, settings.warmup));
                }
            }
            // Rounds interleave the paths, so that drift on the machine touches all of them alike.
            List<PhaseResult> ceiling = new ArrayList<>();
            Map<Route, List<PhaseResult>> results = new EnumMap<>(Route.class);
            for (int round = 1; round <= settings.rounds; round++) {
                System.out.printf("round %d of %d%n", round, settings.rounds);
                ceiling.add(ceiling(james, sink, "ceiling-r" + round, settings.mails));
                for (Route route : Route.values()) {
                    results.computeIfAbsent(route, r -> new ArrayList<>())
                        .add(throughJames(james, sink, route, route.phase + "-r" + round, settings.mails));
                }
            }

            BenchReport report = new BenchReport(settings, machine, ceiling, results.get(Route.STOCK),
                results.get(Route.REQUIRED), results.get(Route.NO));
            System.out.println();
            System.out.println(report.text());
            if (report.problems().isEmpty()) {
                Files.writeString(settings.resultsFile, report.markdown());
                System.out.println("Results written to " + settings.resultsFile);
            }
            assertThat(report.problems()).as("count mismatches (James log: %s)", james.consoleLog()).isEmpty();
        }
    }

    /** The plain client straight to the sinks: the sinks' own ceiling. */
    private PhaseResult ceiling(JamesServer james, SinkProcess sink, String phase, int n) throws Exception {
        prepare(sink, phase);
        CpuTime cpu = CpuTime.now(james.pid(), sink.pid());
        SSLContext tls = TrustAll.context();
        long start = SmtpSink.micros(Instant.now());
        long[] starts = ParallelSender.run(n, THREADS, () -> new SinkConnections(tls, phase), settings.timeout(n));
        PhaseResult result = PhaseResult.collect("ceiling: plain client, reused connections", phase, true, sink,
            starts, start, Double.NaN, settings.timeout(n), STALL);
        result.cpu = CpuTime.now(james.pid(), sink.pid()).since(cpu);
        return report(result);
    }

    /** N mails submitted to James from the route's sender; latency from James's 250 to the sink's 250. */
    private PhaseResult throughJames(JamesServer james, SinkProcess sink, Route route, String phase, int n)
        throws Exception {
        prepare(sink, phase);
        CpuTime cpu = CpuTime.now(james.pid(), sink.pid());
        long[] accepted = ParallelSender.run(n, settings.submitters, () -> new JamesSubmission(route.sender, phase),
            settings.timeout(n));
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (long t : accepted) {
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
        PhaseResult result = PhaseResult.collect(route.label, phase, route.overTls, sink, accepted, first,
            (last - first) / 1e6, settings.timeout(n), STALL);
        result.cpu = CpuTime.now(james.pid(), sink.pid()).since(cpu);
        result.heap = JamesHeap.measure(james.pid());
        return report(result);
    }

    /** No sink connection left from an earlier phase (e.g. pooled ones), fresh counters. */
    private static void prepare(SinkProcess sink, String phase) throws IOException {
        if (!sink.awaitNoOpenConnections(Duration.ofSeconds(60))) {
            System.out.printf("  (%s: %d sink connections still open after 60 s, starting anyway)%n", phase,
                sink.stats().open);
        }
        sink.reset();
    }

    private static PhaseResult report(PhaseResult r) {
        System.out.printf("  %-16s %-40s %5d mails in %7.2f s = %7.1f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                + "longest pause %.0f ms, %d TLS handshakes, %d connections, CPU s James %.1f sink %.1f "
                + "client %.1f%s%n",
            r.phase, r.label, r.mails, r.seconds, r.mailsPerSecond, r.p50Ms, r.p99Ms, r.maxMs, r.longestPauseMs,
            r.stats.handshakes(), r.stats.connections, r.cpu.james, r.cpu.sink, r.cpu.bench,
            r.problems.isEmpty() ? "" : ", PROBLEMS: " + r.problems);
        return r;
    }

    private static void requireClean(PhaseResult warmup) {
        assertThat(warmup.problems).as("warm-up of " + warmup.label).isEmpty();
    }

    static List<String> sinkAddresses() {
        List<String> addresses = new ArrayList<>();
        for (int d = 1; d <= BenchMail.DOMAINS; d++) {
            addresses.add("127.0.1." + d);
        }
        return addresses;
    }

    /** The sink address of mail {@code seq}'s domain (benchN.test -> 127.0.1.N). */
    private static String sinkAddress(int seq) {
        return "127.0.1." + (seq % BenchMail.DOMAINS + 1);
    }

    private static DnsRecords records() {
        DnsRecords.Builder r = DnsRecords.builder();
        for (int seq = 0; seq < BenchMail.DOMAINS; seq++) {
            String mx = "mx." + BenchMail.domain(seq);
            r.mx(BenchMail.domain(seq), mx, 10).a(mx, sinkAddress(seq));
        }
        return r.build();
    }

    private static JamesConfig jamesConfig() {
        return JamesConfig.samples()
            .withConfResource("mailetcontainer.xml", "/bench/bench-mailetcontainer.xml")
            .withConfResource("bench-tls-required.xml", "/bench/bench-tls-required.xml")
            .withConfResource("bench-tls-no.xml", "/bench/bench-tls-no.xml");
    }

    /** One submission connection into James, opened on first use and kept. */
    private static final class JamesSubmission implements ParallelSender.Connection {
        private final String sender;
        private final String phase;
        private BenchSmtpClient client;

        JamesSubmission(String sender, String phase) {
            this.sender = sender;
            this.phase = phase;
        }

        @Override
        public long send(int seq) throws IOException {
            if (client == null) {
                client = BenchSmtpClient.open(TestNetwork.JAMES_SMTP_ADDRESS, TestNetwork.JAMES_SMTP_PORT,
                    "submitter.bench.test");
            }
            String to = BenchMail.recipient(seq);
            client.send(sender, to, BenchMail.message(sender, to, BenchMail.id(phase, seq)));
            return SmtpSink.micros(Instant.now());
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    /** The ceiling client's connections: one per sink, each upgraded with STARTTLS once, kept for all mails. */
    private static final class SinkConnections implements ParallelSender.Connection {
        private static final String SENDER = "ceiling@bench.test";
        private final SSLContext tls;
        private final String phase;
        private final Map<String, BenchSmtpClient> bySink = new HashMap<>();

        SinkConnections(SSLContext tls, String phase) {
            this.tls = tls;
            this.phase = phase;
        }

        @Override
        public long send(int seq) throws IOException {
            String to = BenchMail.recipient(seq);
            byte[] message = BenchMail.message(SENDER, to, BenchMail.id(phase, seq));
            long start = SmtpSink.micros(Instant.now());
            String address = sinkAddress(seq);
            BenchSmtpClient client = bySink.get(address);
            if (client == null) {
                client = BenchSmtpClient.open(address, SINK_PORT, "ceiling.bench.test");
                try {
                    client.startTls(tls);
                } catch (IOException e) {
                    client.close();
                    throw e;
                }
                bySink.put(address, client);
            }
            client.send(SENDER, to, message);
            return start;
        }

        @Override
        public void close() {
            bySink.values().forEach(BenchSmtpClient::close);
        }
    }
}
