package org.jamestls.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small in-process SMTP receiver for unit tests: it can offer STARTTLS, hide it, or break the
 * handshake, offer REQUIRETLS after STARTTLS, and it records every command and whether message data arrived (and
 * over TLS or not).
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    public enum TlsBehaviour { STARTTLS_WORKS, STARTTLS_NOT_OFFERED, HANDSHAKE_FAILS }

    private final ServerSocket serverSocket;
    private final TlsBehaviour behaviour;
    private final SSLContext sslContext;
    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    private final java.util.Map<String, String> recipientReplies = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String mailFromReply = "250 2.1.0 ok";
    private volatile String finalDotReply = "250 2.0.0 queued";
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger messages = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger finalDots = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int closeChannelAtMessage = -1;
    private volatile long sizeLimit;
    private volatile boolean offersRequireTls;
    private volatile boolean dataReceived;
    private volatile boolean dataReceivedOverTls;
    private volatile long finalDotDelayMillis;
    private final Object held = new Object();
    private final ConnectionGauge gauge = new ConnectionGauge();
    private volatile ConnectionGauge sharedGauge = new ConnectionGauge();
    private final Thread acceptor;

    /** A receiver whose STARTTLS presents the run's one self-signed certificate for mx.scripted.test. */
    public ScriptedSmtpServer(TlsBehaviour behaviour) throws Exception {
        this(behaviour, sharedServerContext());
    }

    public ScriptedSmtpServer(TlsBehaviour behaviour, SSLContext sslContext) throws IOException {
        this.behaviour = behaviour;
        this.sslContext = sslContext;
        this.serverSocket = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        this.serverSocket.setSoTimeout(100);
        this.acceptor = new Thread(this::acceptLoop, "scripted-smtp");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public ScriptedSmtpServer rejectingRecipientsStartingWith(String prefix) {
        return answeringRecipientsStartingWith(prefix, "550 5.1.1 no such user");
    }

    /** Answers {@code reply} (e.g. {@code 450 5.7.1 try later}) to RCPT TO for local parts starting with {@code prefix}. */
    public ScriptedSmtpServer answeringRecipientsStartingWith(String prefix, String reply) {
        recipientReplies.put(prefix.toUpperCase(), reply);
        return this;
    }

    /** Answers {@code reply} to every MAIL FROM (unless {@link #closingChannelAtMessage} applies). */
    public ScriptedSmtpServer answeringMailFrom(String reply) {
        mailFromReply = reply;
        return this;
    }

    /** Answers {@code reply} to the final dot of every message. */
    public ScriptedSmtpServer answeringFinalDot(String reply) {
        finalDotReply = reply;
        return this;
    }

    /** Answers 421 to the MAIL FROM of message number {@code n} (1-based, counted over all connections). */
    public ScriptedSmtpServer closingChannelAtMessage(int n) {
        closeChannelAtMessage = n;
        return this;
    }

    /** Announces REQUIRETLS (RFC 8689) in the EHLO answer on the TLS session, as a receiver that supports it does. */
    public ScriptedSmtpServer offeringRequireTls() {
        offersRequireTls = true;
        return this;
    }

    /** Announces {@code SIZE limit} in EHLO. */
    public ScriptedSmtpServer withSizeLimit(long limit) {
        sizeLimit = limit;
        return this;
    }

    /**
     * Waits {@code delay} before answering each final dot, like a content-scanning receiver (sessions stay busy), until
     * {@link #releaseHeldReplies}.
     */
    public ScriptedSmtpServer delayingFinalDot(java.time.Duration delay) {
        finalDotDelayMillis = delay.toMillis();
        return this;
    }

    /** Counts this server's open connections in {@code shared} too (several servers, one count of what is open at once). */
    public ScriptedSmtpServer countingIn(ConnectionGauge shared) {
        sharedGauge = shared;
        return this;
    }

    /** This server's connections open now and at most at once. */
    public ConnectionGauge gauge() {
        return gauge;
    }

    /** Messages whose final dot was answered. */
    public int messages() {
        return finalDots.get();
    }

    public int connections() {
        return connections.get();
    }

    public long count(String commandPrefix) {
        return commands().stream().filter(command -> command.toUpperCase().startsWith(commandPrefix)).count();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public List<String> commands() {
        return List.copyOf(commands);
    }

    public boolean dataReceived() {
        return dataReceived;
    }

    public boolean dataReceivedOverTls() {
        return dataReceivedOverTls;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                Thread session = new Thread(() -> serveAndClose(socket), "scripted-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (SocketTimeoutException e) {
                // poll again until closed
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serveAndClose(Socket socket) {
        ConnectionGauge.Session counted = gauge.opened().and(sharedGauge.opened());
        try (socket) {
            socket.setSoTimeout(Math.max(5000, (int) finalDotDelayMillis * 2));
            serve(socket, counted);
        } catch (IOException e) {
            // client went away
        } finally {
            counted.close();
        }
    }

    private void serve(Socket plain, ConnectionGauge.Session counted) throws IOException {
        Socket socket = plain;
        boolean tls = false;
        BufferedReader in = reader(socket);
        OutputStream out = socket.getOutputStream();
        send(out, "220 scripted.test ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String upper = line.toUpperCase();
            if (upper.startsWith("EHLO")) {
                boolean offer = behaviour != TlsBehaviour.STARTTLS_NOT_OFFERED && !tls;
                send(out, "250-scripted.test" + (offer ? "\r\n250-STARTTLS" : "")
                    + (tls && offersRequireTls ? "\r\n250-REQUIRETLS" : "")
                    + (sizeLimit > 0 ? "\r\n250-SIZE " + sizeLimit : "") + "\r\n250 8BITMIME");
            } else if (upper.equals("STARTTLS")) {
                send(out, "220 2.0.0 go ahead");
                if (behaviour == TlsBehaviour.HANDSHAKE_FAILS) {
                    send(out, "this is not a TLS record");
                    return;
                }
                SSLSocket sslSocket = (SSLSocket) sslContext.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                sslSocket.setUseClientMode(false);
                sslSocket.startHandshake();
                socket = sslSocket;
                tls = true;
                in = reader(socket);
                out = socket.getOutputStream();
            } else if (upper.startsWith("MAIL FROM:")) {
                if (messages.incrementAndGet() == closeChannelAtMessage) {
                    send(out, "421 4.3.2 shutting down");
                    return;
                }
                send(out, mailFromReply);
            } else if (upper.startsWith("RCPT TO:")) {
                send(out, recipientReplies.entrySet().stream()
                    .filter(entry -> upper.startsWith("RCPT TO:<" + entry.getKey()))
                    .map(java.util.Map.Entry::getValue).findFirst().orElse("250 2.1.5 ok"));
            } else if (upper.equals("DATA")) {
                send(out, "354 go on");
                while ((line = in.readLine()) != null && !line.equals(".")) {
                    dataReceived = true;
                    dataReceivedOverTls = tls;
                }
                pause(finalDotDelayMillis);
                finalDots.incrementAndGet();
                send(out, finalDotReply);
            } else if (upper.equals("QUIT")) {
                // counted as closed before the client can see the 221 and open another connection
                counted.close();
                send(out, "221 bye");
                return;
            } else {
                send(out, "250 ok");
            }
        }
    }

    /** Answers every final dot held now and later at once. */
    public void releaseHeldReplies() {
        synchronized (held) {
            finalDotDelayMillis = 0;
            held.notifyAll();
        }
    }

    private void pause(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (held) {
            long remaining;
            while (finalDotDelayMillis > 0 && (remaining = deadline - System.currentTimeMillis()) > 0) {
                try {
                    held.wait(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        serverSocket.close();
        acceptor.join(TimeUnit.SECONDS.toMillis(5));
    }

    private static SSLContext shared;

    /** One self-signed certificate for all the tests of a run that do not check it (keytool is slow). */
    private static synchronized SSLContext sharedServerContext() throws Exception {
        if (shared == null) {
            Path directory = Files.createTempDirectory("scripted-smtp");
            try {
                shared = selfSignedServerContext(directory);
            } finally {
                try (var files = Files.list(directory)) {
                    files.forEach(file -> file.toFile().delete());
                }
                Files.deleteIfExists(directory);
            }
        }
        return shared;
    }

    /** A server SSL context with a fresh self-signed certificate made by the JDK's keytool. */
    public static SSLContext selfSignedServerContext(Path directory) throws Exception {
        return selfSignedServerContext(directory, "mx.scripted.test");
    }

    /** Also writes the certificate as PEM to {@code directory/server.pem}, for tlsCa tests. */
    public static SSLContext selfSignedServerContext(Path directory, String hostName) throws Exception {
        Path keystore = directory.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mx", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=" + hostName, "-ext", "SAN=dns:" + hostName, "-validity", "2", "-storetype", "PKCS12",
            "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
            .redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.exists(keystore)) {
            throw new IllegalStateException("keytool failed: " + new String(process.getInputStream().readAllBytes()));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        java.security.cert.Certificate certificate = store.getCertificate("mx");
        Files.writeString(directory.resolve("server.pem"), "-----BEGIN CERTIFICATE-----\n"
            + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
            + "\n-----END CERTIFICATE-----\n");
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }
}
