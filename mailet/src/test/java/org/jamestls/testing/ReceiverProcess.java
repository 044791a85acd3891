package org.jamestls.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScriptedSmtpServer} (STARTTLS offered) in a JVM of its own, so that what a test measures in its own JVM
 * (heap, threads, RSS) holds only the client's side. It holds every final dot until {@link #releaseHeldReplies}.
 */
public final class ReceiverProcess implements AutoCloseable {
    private final Process process;
    private final Writer control;
    private final int port;

    private ReceiverProcess(Process process) throws IOException {
        this.process = process;
        this.control = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("port ")) {
            // the JVM's own output before the port line
        }
        if (line == null) {
            throw new IOException("the receiver process ended before listening");
        }
        this.port = Integer.parseInt(line.substring("port ".length()).trim());
    }

    public static ReceiverProcess start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            ReceiverProcess.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new ReceiverProcess(process);
    }

    public int port() {
        return port;
    }

    public void releaseHeldReplies() throws IOException {
        control.write("release\n");
        control.flush();
    }

    @Override
    public void close() throws Exception {
        control.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The receiver's side: prints {@code port N}, releases held replies on "release", ends when stdin closes. */
    public static void main(String[] args) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.TlsBehaviour.STARTTLS_WORKS)
                 .delayingFinalDot(Duration.ofMinutes(10))) {
            System.out.println("port " + server.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("release")) {
                    server.releaseHeldReplies();
                }
            }
        }
        System.exit(0);
    }
}
