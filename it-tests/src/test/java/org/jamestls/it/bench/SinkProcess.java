package org.jamestls.it.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jamestls.it.support.Processes;

/**
 * Starts {@link SmtpSink} (and its {@link DelayProxy}, when the {@link Setup} has one) as a separate JVM
 * ({@code java -Xmx256m -cp target/test-classes ...}) and talks to its control channel. The sink's key pair is a self-signed RSA 2048 certificate made by {@code keytool}.
 */
final class SinkProcess implements AutoCloseable {

    /** What the sink counted since the last reset; the proxy's counters are -1 without a proxy. */
    static final class Stats {
        final int messages;
        final int connections;
        final int open;
        final int tlsFull;
        final int tlsResumed;
        final int tlsFailed;
        final int truncated;
        final long bytes;
        final int dataMessages;
        final int bdatMessages;
        final long pipelinedCommands;
        final long postDotPipelining;
        final long unadvertisedPipelining;
        final long improperPipelining;
        final long plaintextAfterStartTls;
        final long errorReplies;
        /** Round trips before the first MAIL, summed over sessions that sent one ({@link #sessionsWithMail}). */
        final long setupRoundTrips;
        final long sessionsWithMail;
        /** Round trips between two consecutive MAIL commands of a session, summed; {@link #reusedTransactions}. */
        final long reusedRoundTrips;
        final long reusedTransactions;
        final boolean proxied;
        final long proxySessionsOpened;
        final long proxyOpenNow;
        final long proxyMaxOpen;
        /** The most sessions whose client waited for a reply at the same time. */
        final long proxyMaxInUse;
        final long proxyRoundTrips;
        final long proxyCpuMillis;

        private Stats(Map<String, String> v) {
            messages = Integer.parseInt(v.get("messages"));
            connections = Integer.parseInt(v.get("connections"));
            open = Integer.parseInt(v.get("open"));
            tlsFull = Integer.parseInt(v.get("tlsFull"));
            tlsResumed = Integer.parseInt(v.get("tlsResumed"));
            tlsFailed = Integer.parseInt(v.get("tlsFailed"));
            truncated = Integer.parseInt(v.get("truncated"));
            bytes = Long.parseLong(v.get("bytes"));
            dataMessages = Integer.parseInt(v.get("dataMessages"));
            bdatMessages = Integer.parseInt(v.get("bdatMessages"));
            pipelinedCommands = Long.parseLong(v.get("pipelinedCommands"));
            postDotPipelining = Long.parseLong(v.get("postDotPipelining"));
            unadvertisedPipelining = Long.parseLong(v.get("unadvertisedPipelining"));
            improperPipelining = Long.parseLong(v.get("improperPipelining"));
            plaintextAfterStartTls = Long.parseLong(v.get("plaintextAfterStartTls"));
            errorReplies = Long.parseLong(v.get("errorReplies"));
            setupRoundTrips = Long.parseLong(v.get("setupRoundTrips"));
            sessionsWithMail = Long.parseLong(v.get("sessionsWithMail"));
            reusedRoundTrips = Long.parseLong(v.get("reusedRoundTrips"));
            reusedTransactions = Long.parseLong(v.get("reusedTransactions"));
            proxied = v.containsKey("proxy.sessionsOpened");
            proxySessionsOpened = Long.parseLong(v.getOrDefault("proxy.sessionsOpened", "-1"));
            proxyOpenNow = Long.parseLong(v.getOrDefault("proxy.openNow", "-1"));
            proxyMaxOpen = Long.parseLong(v.getOrDefault("proxy.maxOpen", "-1"));
            proxyMaxInUse = Long.parseLong(v.getOrDefault("proxy.maxInUse", "-1"));
            proxyRoundTrips = Long.parseLong(v.getOrDefault("proxy.roundTrips", "-1"));
            proxyCpuMillis = Long.parseLong(v.getOrDefault("proxy.cpuMillis", "-1"));
        }

        int handshakes() {
            return tlsFull + tlsResumed;
        }
    }

    /**
     * How the sink JVM listens: SMTP on {@code port} of each address, optionally a {@link DelayProxy} in front on
     * {@code proxyPort} of the same addresses, and which extensions EHLO offers.
     */
    static final class Setup {
        final List<String> addresses;
        final int port;
        /** 0: no proxy. */
        final int proxyPort;
        final Duration rtt;
        final boolean pipelining;
        final boolean chunking;
        final String controlHost;
        final int controlPort;

        private Setup(List<String> addresses, int port, int proxyPort, Duration rtt, boolean pipelining, boolean chunking,
                      String controlHost, int controlPort) {
            this.addresses = List.copyOf(addresses);
            this.port = port;
            this.proxyPort = proxyPort;
            this.rtt = rtt;
            this.pipelining = pipelining;
            this.chunking = chunking;
            this.controlHost = controlHost;
            this.controlPort = controlPort;
        }

        /** Sinks straight on {@code port}, every extension offered. */
        static Setup direct(List<String> addresses, int port, String controlHost, int controlPort) {
            return new Setup(addresses, port, 0, Duration.ZERO, true, true, controlHost, controlPort);
        }

        /** Clients dial {@code proxyPort}, delayed by {@code rtt}; the sinks listen on this setup's port. */
        Setup behindProxy(int proxyPort, Duration rtt) {
            return new Setup(addresses, port, proxyPort, rtt, pipelining, chunking, controlHost, controlPort);
        }

        Setup withExtensions(boolean pipelining, boolean chunking) {
            return new Setup(addresses, port, proxyPort, rtt, pipelining, chunking, controlHost, controlPort);
        }

        /** The port clients dial. */
        int clientPort() {
            return proxyPort == 0 ? port : proxyPort;
        }
    }

    /** One fully received message. */
    static final class Received {
        final String id;
        final long micros;
        final boolean tls;
        final boolean bdat;

        Received(String id, long micros, boolean tls, boolean bdat) {
            this.id = id;
            this.micros = micros;
            this.tls = tls;
            this.bdat = bdat;
        }
    }

    private static final String PASSWORD = "bench-sink";

    private final Process process;
    private final String controlHost;
    private final int controlPort;
    private final Path log;

    private SinkProcess(Process process, String controlHost, int controlPort, Path log) {
        this.process = process;
        this.controlHost = controlHost;
        this.controlPort = controlPort;
        this.log = log;
    }

    /** Sinks straight on {@code port} of {@code addresses}, every extension offered (QueuedBacklogIT). */
    static SinkProcess start(Path dir, List<String> addresses, int port, String controlHost, int controlPort) {
        return start(dir, Setup.direct(addresses, port, controlHost, controlPort));
    }

    static SinkProcess start(Path dir, Setup setup) {
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("sink.p12");
            Files.deleteIfExists(keystore);
            Path bin = Path.of(System.getProperty("java.home"), "bin");
            Processes.run(Duration.ofSeconds(60), bin.resolve("keytool").toString(), "-genkeypair",
                "-alias", "sink", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=sink.bench.test", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).requireSuccess("keytool");
            for (String address : setup.addresses) {
                for (int port : setup.proxyPort == 0 ? List.of(setup.port) : List.of(setup.port, setup.proxyPort)) {
                    if (Processes.canConnect(address, port)) {
                        throw new IllegalStateException("Something already listens on " + address + ":" + port);
                    }
                }
            }
            String classes = Path.of(SmtpSink.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
            List<String> cmd = new ArrayList<>(List.of(bin.resolve("java").toString(), "-Xmx256m", "-cp", classes,
                SmtpSink.class.getName(), "addresses=" + String.join(",", setup.addresses), "port=" + setup.port,
                "pipelining=" + setup.pipelining, "chunking=" + setup.chunking,
                "control=" + setup.controlHost + ":" + setup.controlPort, "keystore=" + keystore,
                "storepass=" + PASSWORD));
            if (setup.proxyPort != 0) {
                cmd.add("rtt=" + setup.rtt.toMillis());
                cmd.add("proxyPort=" + setup.proxyPort);
            }
            Path log = dir.resolve("sink.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(log.toString()))).start();
            // stdin stays open: the sink exits when it closes (this JVM is gone)
            SinkProcess sink = new SinkProcess(p, setup.controlHost, setup.controlPort, log);
            boolean up = Processes.await(Duration.ofSeconds(30), () -> !p.isAlive() || sink.ping());
            if (!up || !p.isAlive()) {
                sink.close();
                throw new IllegalStateException("SMTP sink did not start:\n" + Processes.readOrEmpty(log));
            }
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the SMTP sink", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    private boolean ping() {
        try {
            return command("PING").get(0).equals("OK");
        } catch (IOException e) {
            return false;
        }
    }

    void reset() throws IOException {
        command("RESET");
    }

    Stats stats() throws IOException {
        String line = command("STATS").get(0);
        if (!line.startsWith("OK ")) {
            throw new IOException("sink STATS answered " + line);
        }
        Map<String, String> values = new HashMap<>();
        for (String kv : line.substring(3).split(" ")) {
            int eq = kv.indexOf('=');
            values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return new Stats(values);
    }

    List<Received> records() throws IOException {
        List<Received> received = new ArrayList<>();
        for (String line : command("RECORDS")) {
            if (line.equals(".")) {
                break;
            }
            String[] f = line.split(" ");
            received.add(new Received(f[0], Long.parseLong(f[1]), f[2].equals("tls"), f[3].equals("bdat")));
        }
        return received;
    }

    /** Waits (bounded) until no SMTP connection is open (nor proxied), e.g. pooled connections of an earlier phase. */
    boolean awaitNoOpenConnections(Duration timeout) {
        return Processes.await(timeout, () -> {
            try {
                Stats s = stats();
                return s.open == 0 && s.proxyOpenNow <= 0;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private List<String> command(String command) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("SMTP sink exited:\n" + Processes.tail(Processes.readOrEmpty(log), 20));
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(controlHost, controlPort), 2_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            LineReader in = new LineReader(s.getInputStream(), 4096);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 10_000_000; i++) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                lines.add(line);
            }
            if (lines.isEmpty()) {
                throw new IOException("no answer from the sink to " + command);
            }
            return lines;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                command("SHUTDOWN");
            } catch (IOException ignored) {
                // stopped below
            }
        }
        Processes.stop(process, Duration.ofSeconds(5));
    }
}
