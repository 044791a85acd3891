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
 * Starts {@link SmtpSink} as a separate JVM ({@code java -Xmx256m -cp target/test-classes ...}) and talks to its
 * control channel. The sink's key pair is a self-signed RSA 2048 certificate made by {@code keytool}.
 */
final class SinkProcess implements AutoCloseable {

    /** What the sink counted since the last reset. */
    static final class Stats {
        final int messages;
        final int connections;
        final int open;
        final int tlsFull;
        final int tlsResumed;
        final int tlsFailed;
        final int truncated;
        final long bytes;

        private Stats(Map<String, String> v) {
            messages = Integer.parseInt(v.get("messages"));
            connections = Integer.parseInt(v.get("connections"));
            open = Integer.parseInt(v.get("open"));
            tlsFull = Integer.parseInt(v.get("tlsFull"));
            tlsResumed = Integer.parseInt(v.get("tlsResumed"));
            tlsFailed = Integer.parseInt(v.get("tlsFailed"));
            truncated = Integer.parseInt(v.get("truncated"));
            bytes = Long.parseLong(v.get("bytes"));
        }

        int handshakes() {
            return tlsFull + tlsResumed;
        }
    }

    /** One fully received message. */
    static final class Received {
        final String id;
        final long micros;
        final boolean tls;

        Received(String id, long micros, boolean tls) {
            this.id = id;
            this.micros = micros;
            this.tls = tls;
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

    static SinkProcess start(Path dir, List<String> addresses, int port, String controlHost, int controlPort) {
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("sink.p12");
            Files.deleteIfExists(keystore);
            Path bin = Path.of(System.getProperty("java.home"), "bin");
            Processes.run(Duration.ofSeconds(60), bin.resolve("keytool").toString(), "-genkeypair",
                "-alias", "sink", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=sink.bench.test", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).requireSuccess("keytool");
            for (String address : addresses) {
                if (Processes.canConnect(address, port)) {
                    throw new IllegalStateException("Something already listens on " + address + ":" + port);
                }
            }
            String classes = Path.of(SmtpSink.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
            List<String> cmd = List.of(bin.resolve("java").toString(), "-Xmx256m", "-cp", classes,
                SmtpSink.class.getName(), "addresses=" + String.join(",", addresses), "port=" + port,
                "control=" + controlHost + ":" + controlPort, "keystore=" + keystore, "storepass=" + PASSWORD);
            Path log = dir.resolve("sink.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(log.toString()))).start();
            // stdin stays open: the sink exits when it closes (this JVM is gone)
            SinkProcess sink = new SinkProcess(p, controlHost, controlPort, log);
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
            received.add(new Received(f[0], Long.parseLong(f[1]), f[2].equals("tls")));
        }
        return received;
    }

    /** Waits (bounded) until no SMTP connection is open, e.g. pooled connections of an earlier phase. */
    boolean awaitNoOpenConnections(Duration timeout) {
        return Processes.await(timeout, () -> {
            try {
                return stats().open == 0;
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
