package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamestls.it.support.DnsServer;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.Test;

/**
 * The delivery benchmark ({@code ./benchmark.sh}, Maven profile {@code benchmark}; not part of {@code mvn verify}).
 * In one run, against one James 3.8.1 (bench-mailetcontainer.xml: the delivery paths chosen by the sender) and one
 * {@link SmtpSink} JVM, the MX of {@code bench1.test ..} in dnsmasq ({@link BenchLayout}), it runs the
 * {@link BenchPath}s chosen with {@code -Dbench.paths}:
 * <ol>
 *   <li>ceiling: {@link CeilingClient}, {@code bench.ceilingSessions} sessions at once straight to the sinks,
 *       STARTTLS once per session, PIPELINING and CHUNKING when offered;</li>
 *   <li>N mails submitted to James per path while it delivers: stock RemoteDelivery (startTLS), TlsRemoteDelivery
 *       tls=required and tls=no;</li>
 *   <li>drain: N mails queued first on a path's outgoing queue (test vehicle {@code HoldInQueue}), then released at
 *       once through WebAdmin; the rate of the delivery stage alone.</li>
 * </ol>
 * With {@code bench.proxy} (the default) the clients reach the sinks through a {@link DelayProxy} of
 * {@code bench.rtt} ms, which also counts round trips and sessions. Before each phase nothing is in flight and no
 * sink connection is open. A warm-up of {@code bench.warmup} mails per path runs first, then
 * {@code bench.rounds} rounds of all phases; the report shows each path's median round. The run fails if any
 * phase does not deliver each mail exactly once, complete, over the expected channel, or the sinks saw a protocol
 * error; the targets are reported, never asserted. The results go to the console and, when the counts are right,
 * into this run's section of {@code bench.results.file} (it-tests/benchmark-results.md).
 */
class DeliveryBenchmark {

    /** deliveryThreads of every path (bench-mailetcontainer.xml). */
    static final int DELIVERY_THREADS = 4;

    private static final String CONTROL_HOST = "127.0.1.1";
    private static final int CONTROL_PORT = 10999;
    private static final Duration STALL = Duration.ofSeconds(120);
    private static final Pattern QUEUE_SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");
    private static final Pattern OUR_MAILET = Pattern.compile(
        "(<mailet match=\"All\" class=\"org\\.jamestls\\.mailet\\.TlsRemoteDelivery\">)(.*?)(\\s*</mailet>)",
        Pattern.DOTALL);

    private final BenchSettings settings = BenchSettings.fromSystemProperties();
    private final BenchLayout layout = new BenchLayout(settings.domains, settings.mxAddresses);
    private final FlightRecordings recordings = new FlightRecordings(settings.jfrDir);

    @Test
    void compareDeliveryPaths() throws Exception {
        MachineInfo machine = MachineInfo.collect(ItPaths.configSamples().getParent());
        Path work = ItPaths.workDir().resolve("bench");
        Path runtime = benchRuntime(work.resolve("runtime"));
        System.out.printf("%nDelivery benchmark: %s%n", settings.command());
        try (SinkProcess sink = SinkProcess.start(work.resolve("sink"), sinkSetup());
             DnsServer dns = DnsServer.onDefaultAddress(work.resolve("dns"), layout.records())
                 .withTtl(settings.dnsTtlSeconds).start();
             JamesServer james = JamesServer.custom(ItPaths.jamesHome(),
                 JamesServer.Flavor.memory(ItPaths.jamesRuntime()), runtime, jamesConfig(), JamesServer.Endpoints.DEFAULT)) {
            james.start();
            james.awaitLog("TlsRemoteDelivery started: queue=tls-outgoing .*smtpPort=25 ", Duration.ofSeconds(30));
            james.awaitLog("TlsRemoteDelivery started: queue=tls-outgoing-no .*smtpPort=25 ", Duration.ofSeconds(30));
            System.out.printf("James pid %d, sink pid %d, %d mails per path, RTT %d ms%s%n", james.pid(), sink.pid(),
                settings.mails, settings.rtt.toMillis(), settings.proxy ? " (delaying proxy)" : " (no proxy)");

            if (settings.warmup > 0) {
                for (BenchPath path : settings.paths) {
                    requireClean(run(james, sink, path, "warm-" + path.id, settings.warmup));
                }
            }
            // Rounds interleave the paths, so that drift on the machine touches all of them alike.
            Map<BenchPath, List<PhaseResult>> results = new EnumMap<>(BenchPath.class);
            for (int round = 1; round <= settings.rounds; round++) {
                System.out.printf("round %d of %d%n", round, settings.rounds);
                for (BenchPath path : settings.paths) {
                    results.computeIfAbsent(path, p -> new ArrayList<>())
                        .add(run(james, sink, path, path.id + "-r" + round, settings.mails));
                }
            }

            BenchReport report = new BenchReport(settings, machine, results, MachineInfo.loadAverageNow());
            System.out.println();
            System.out.println(report.text());
            if (report.problems().isEmpty()) {
                ResultsFile.writeSection(settings.resultsFile, settings.rtt, settings.command(), report.markdown());
                System.out.println("Results written to " + settings.resultsFile);
            }
            assertThat(report.problems()).as("count mismatches or protocol problems (James log: %s, sink log: %s)",
                james.consoleLog(), work.resolve("sink/sink.log")).isEmpty();
        }
    }

    private PhaseResult run(JamesServer james, SinkProcess sink, BenchPath path, String phase, int n) throws Exception {
        prepare(sink, phase);
        double proxyCpuBefore = proxyCpuSeconds(sink.stats());
        PhaseResult result;
        switch (path.kind) {
            case CEILING:
                result = ceiling(james, sink, path, phase, n);
                break;
            case THROUGH_JAMES:
                result = throughJames(james, sink, path, phase, n);
                break;
            default:
                result = drain(james, sink, path, phase, n);
        }
        result.proxyCpu = proxyCpuSeconds(result.stats) - proxyCpuBefore;
        return report(result);
    }

    /** The benchmark's own client straight to the sinks: the sinks' (and the link's) ceiling. */
    private PhaseResult ceiling(JamesServer james, SinkProcess sink, BenchPath path, String phase, int n)
        throws Exception {
        FlightRecordings.Recording recording = recordings.start(phase, james.pid(), sink.pid());
        CpuTime cpu = CpuTime.now(james.pid(), sink.pid());
        long start = SmtpSink.micros(Instant.now());
        long[] starts = CeilingClient.send(layout, phase, n, settings.ceilingSessions, settings.timeout(n));
        PhaseResult result = PhaseResult.collect(path.label, phase, path.overTls, sink, starts, start, Double.NaN,
            settings.timeout(n), STALL);
        result.cpu = CpuTime.now(james.pid(), sink.pid()).since(cpu);
        recording.stop();
        return result;
    }

    /** N mails submitted to James from the path's sender; latency from James's 250 to the sink's 250. */
    private PhaseResult throughJames(JamesServer james, SinkProcess sink, BenchPath path, String phase, int n)
        throws Exception {
        FlightRecordings.Recording recording = recordings.start(phase, james.pid(), sink.pid());
        CpuTime cpu = CpuTime.now(james.pid(), sink.pid());
        long[] accepted = submit(path, phase, n);
        long first = Arrays.stream(accepted).min().orElseThrow();
        long last = Arrays.stream(accepted).max().orElseThrow();
        PhaseResult result = PhaseResult.collect(path.label, phase, path.overTls, sink, accepted, first,
            (last - first) / 1e6, settings.timeout(n), STALL);
        result.cpu = CpuTime.now(james.pid(), sink.pid()).since(cpu);
        recording.stop();
        result.heap = JamesHeap.measure(james.pid());
        return result;
    }

    /**
     * N mails queued on the path's outgoing queue with a long delay (HoldInQueue), then released at once with
     * WebAdmin's flush; window and latencies from the release to the sinks' 250, CPU from the release on.
     */
    private PhaseResult drain(JamesServer james, SinkProcess sink, BenchPath path, String phase, int n)
        throws Exception {
        long[] accepted = submit(path, phase, n);
        double fillSeconds = (Arrays.stream(accepted).max().orElseThrow() - Arrays.stream(accepted).min().orElseThrow())
            / 1e6;
        WebAdminClient webAdmin = james.webAdmin();
        boolean queued = Processes.await(settings.timeout(n), () -> queueSize(webAdmin, path.queue) >= n);
        int early = sink.stats().messages;
        long size = queueSize(webAdmin, path.queue);

        FlightRecordings.Recording recording = recordings.start(phase, james.pid(), sink.pid());
        CpuTime cpu = CpuTime.now(james.pid(), sink.pid());
        long release = SmtpSink.micros(Instant.now());
        WebAdminClient.Response flushed = webAdmin.patch("/mailQueues/" + path.queue + "/mails?delayed=true",
            "{\"delayed\": false}");
        long[] starts = new long[n];
        Arrays.fill(starts, release);
        PhaseResult result = PhaseResult.collect(path.label, phase, path.overTls, sink, starts, release, fillSeconds,
            settings.timeout(n), STALL);
        result.cpu = CpuTime.now(james.pid(), sink.pid()).since(cpu);
        recording.stop();
        result.heap = JamesHeap.measure(james.pid());
        if (!queued || size != n) {
            result.problems.add("queue " + path.queue + " held " + size + " mails before the release, expected " + n);
        }
        if (early > 0) {
            result.problems.add(early + " mails reached the sinks before the queue was released");
        }
        if (flushed.status != 204) {
            result.problems.add("WebAdmin flush of " + path.queue + " answered " + flushed);
        }
        return result;
    }

    private long[] submit(BenchPath path, String phase, int n) throws Exception {
        return ParallelSender.run(n, settings.submitters, () -> new JamesSubmission(path.sender, phase, layout),
            settings.timeout(n));
    }

    private static long queueSize(WebAdminClient webAdmin, String queue) {
        WebAdminClient.Response r = webAdmin.get("/mailQueues/" + queue);
        Matcher m = QUEUE_SIZE.matcher(r.body);
        return r.status == 200 && m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** No sink or proxied connection left from an earlier phase (e.g. pooled ones), fresh counters. */
    private static void prepare(SinkProcess sink, String phase) throws IOException {
        if (!sink.awaitNoOpenConnections(Duration.ofSeconds(60))) {
            System.out.printf("  (%s: %d sink connections still open after 60 s, starting anyway)%n", phase,
                sink.stats().open);
        }
        sink.reset();
    }

    private static double proxyCpuSeconds(SinkProcess.Stats stats) {
        return stats.proxied ? stats.proxyCpuMillis / 1000.0 : Double.NaN;
    }

    private PhaseResult report(PhaseResult r) {
        System.out.printf("  %-18s %-40s %5d mails in %7.2f s = %7.1f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                + "longest pause %.0f ms, %d TLS handshakes, %d connections, round trips/mail %.2f (reused %.2f), "
                + "sessions %d (max %d open, %d in use), CPU s James %.1f sink %.1f (proxy %.1f) client %.1f%s%n",
            r.phase, r.label, r.mails, r.seconds, r.mailsPerSecond, r.p50Ms, r.p99Ms, r.maxMs, r.longestPauseMs,
            r.stats.handshakes(), r.stats.connections, r.roundTripsPerMail(), r.roundTripsPerReusedMail(),
            r.sessionsOpened(), r.stats.proxyMaxOpen, r.stats.proxyMaxInUse, r.cpu.james, r.cpu.sink, r.proxyCpu, r.cpu.bench,
            r.problems.isEmpty() ? "" : ", PROBLEMS: " + r.problems);
        return r;
    }

    private static void requireClean(PhaseResult warmup) {
        assertThat(warmup.problems).as("warm-up of " + warmup.label).isEmpty();
    }

    private SinkProcess.Setup sinkSetup() {
        SinkProcess.Setup direct = SinkProcess.Setup.direct(layout.mxAddressList(),
            settings.proxy ? BenchLayout.SINK_PORT_BEHIND_PROXY : BenchLayout.MX_PORT, CONTROL_HOST, CONTROL_PORT)
            .withExtensions(settings.pipelining, settings.chunking);
        return settings.proxy ? direct.behindProxy(BenchLayout.MX_PORT, settings.rtt) : direct;
    }

    /**
     * The memory runtime's extension jars (the mailet) plus the HoldInQueue test vehicle's jar, which only the
     * benchmark's James gets.
     */
    private Path benchRuntime(Path dir) throws IOException {
        if (!Files.isRegularFile(settings.vehicleJar)) {
            throw new IllegalStateException("Test vehicle jar " + settings.vehicleJar + " missing: run the benchmark "
                + "through Maven (./benchmark.sh = mvn verify -Pbenchmark), which builds it in the package phase");
        }
        Path extensions = dir.resolve("extensions-jars");
        Processes.deleteRecursively(dir);
        Files.createDirectories(extensions);
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(ItPaths.jamesRuntime().resolve("extensions-jars"),
            "*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, extensions.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(settings.vehicleJar, extensions.resolve(settings.vehicleJar.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private JamesConfig jamesConfig() {
        return JamesConfig.samples()
            .withConfFile("mailetcontainer.xml", withOurParameters(JamesConfig.resource("/bench/bench-mailetcontainer.xml"),
                settings.ours))
            .withConfResource("bench-tls-required.xml", "/bench/bench-tls-required.xml")
            .withConfResource("bench-tls-no.xml", "/bench/bench-tls-no.xml");
    }

    /** Adds or replaces {@code parameters} in both TlsRemoteDelivery mailets of {@code mailetContainer}. */
    static String withOurParameters(String mailetContainer, Map<String, String> parameters) {
        Matcher m = OUR_MAILET.matcher(mailetContainer);
        StringBuffer out = new StringBuffer();
        int mailets = 0;
        while (m.find()) {
            mailets++;
            String body = m.group(2);
            StringBuilder added = new StringBuilder();
            for (Map.Entry<String, String> p : parameters.entrySet()) {
                body = body.replaceAll("\\s*<" + Pattern.quote(p.getKey()) + ">[^<]*</" + Pattern.quote(p.getKey()) + ">", "");
                added.append("\n              <").append(p.getKey()).append('>').append(p.getValue()).append("</")
                    .append(p.getKey()).append("> <!-- -Dbench.ours -->");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + body + added + m.group(3)));
        }
        m.appendTail(out);
        if (mailets != 2) {
            throw new IllegalStateException("bench-mailetcontainer.xml: expected 2 TlsRemoteDelivery mailets, found "
                + mailets);
        }
        return out.toString();
    }

    /** One submission connection into James (lock-step), opened on first use and kept. */
    private static final class JamesSubmission implements ParallelSender.Connection {
        private final String sender;
        private final String phase;
        private final BenchLayout layout;
        private BenchSmtpClient client;

        JamesSubmission(String sender, String phase, BenchLayout layout) {
            this.sender = sender;
            this.phase = phase;
            this.layout = layout;
        }

        @Override
        public long send(int seq) throws IOException {
            if (client == null) {
                client = BenchSmtpClient.open(TestNetwork.JAMES_SMTP_ADDRESS, TestNetwork.JAMES_SMTP_PORT,
                    "submitter.bench.test");
            }
            String to = layout.recipient(seq);
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
}
