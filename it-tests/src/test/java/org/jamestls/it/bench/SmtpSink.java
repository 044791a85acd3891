package org.jamestls.it.bench;

import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The benchmark's receiving MTA: a small ESMTP server (SIZE, 8BITMIME, ENHANCEDSTATUSCODES, STARTTLS with a
 * JSSE server context; no PIPELINING), one thread per connection (at most {@link #MAX_CONNECTIONS}), listening
 * on one port of several loopback addresses. Run as its own JVM by {@link SinkProcess}:
 * <pre>
 * java -cp target/test-classes org.jamestls.it.bench.SmtpSink addresses=127.0.1.1,127.0.1.2 port=25 \
 *     control=127.0.1.1:10999 keystore=sink.p12 storepass=secret
 * </pre>
 * Every message is read to its final dot before the 250 reply; the sink then records its {@code X-Bench-Id}
 * header, the time of the reply (epoch microseconds), whether it came over TLS, and whether it ended with the
 * {@link BenchMail#END_MARKER} line (a message without it counts as truncated).
 *
 * <p>Control channel (one line command, one reply; {@link SinkControl} is the client): {@code PING},
 * {@code RESET} (new counters and records), {@code STATS} ({@code OK key=value ...}), {@code RECORDS}
 * (one line {@code id micros tls|plain} per message, then {@code .}), {@code SHUTDOWN}.
 *
 * <p>The process exits when its standard input closes (the benchmark JVM is gone) or after {@link #MAX_LIFETIME_MS}.
 */
public final class SmtpSink {

    static final int MAX_CONNECTIONS = 512;
    private static final int MAX_COMMANDS_PER_CONNECTION = 1_000_000;
    private static final int MAX_ACCEPTS = 10_000_000;
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_MESSAGE_LINES = 1_000_000;
    private static final int READ_TIMEOUT_MS = 120_000;
    private static final long MAX_LIFETIME_MS = 3L * 3600 * 1000;
    private static final String ID_PREFIX = BenchMail.ID_HEADER + ":";

    /** Counters since the last RESET. */
    static final class Counters {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger tlsFull = new AtomicInteger();
        final AtomicInteger tlsResumed = new AtomicInteger();
        final AtomicInteger tlsFailed = new AtomicInteger();
        final AtomicInteger messages = new AtomicInteger();
        final AtomicInteger truncated = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final ConcurrentLinkedQueue<String> records = new ConcurrentLinkedQueue<>();
    }

    private final SSLSocketFactory tls;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sink-connection");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger open = new AtomicInteger();
    private final Set<String> seenSessions = ConcurrentHashMap.newKeySet();
    private volatile Counters counters = new Counters();

    private SmtpSink(SSLSocketFactory tls) {
        this.tls = tls;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value: " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        SmtpSink sink = new SmtpSink(serverContext(required(opts, "keystore"), required(opts, "storepass"))
            .getSocketFactory());
        int port = Integer.parseInt(required(opts, "port"));
        for (String address : required(opts, "addresses").split(",")) {
            sink.listen(address.trim(), port);
        }
        String[] control = required(opts, "control").split(":");
        ServerSocket controlSocket = bind(control[0], Integer.parseInt(control[1]));
        exitWhenParentGoes();
        System.out.println("READY");
        System.out.flush();
        sink.serveControl(controlSocket);
    }

    private static String required(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key + "=...");
        }
        return v;
    }

    private static SSLContext serverContext(String keystore, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static ServerSocket bind(String address, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(address), port), 256);
        return s;
    }

    /** The benchmark JVM holds our stdin open; EOF means it is gone. Also a hard lifetime limit. */
    private static void exitWhenParentGoes() {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // parent gone
            }
            System.exit(0);
        }, "sink-parent-watch");
        watch.setDaemon(true);
        watch.start();
        Thread limit = new Thread(() -> {
            try {
                Thread.sleep(MAX_LIFETIME_MS);
            } catch (InterruptedException ignored) {
                // exit anyway
            }
            System.exit(2);
        }, "sink-lifetime");
        limit.setDaemon(true);
        limit.start();
    }

    private void listen(String address, int port) throws IOException {
        ServerSocket server = bind(address, port);
        String name = "mx-" + address + ".sink.test";
        Thread acceptor = new Thread(() -> {
            for (int i = 0; i < MAX_ACCEPTS; i++) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                if (!slots.tryAcquire()) {
                    refuse(s);
                    continue;
                }
                workers.execute(() -> {
                    open.incrementAndGet();
                    try {
                        serve(s, name);
                    } catch (IOException | RuntimeException e) {
                        // connection dropped or protocol error: nothing to count
                    } finally {
                        open.decrementAndGet();
                        slots.release();
                        closeQuietly(s);
                    }
                });
            }
        }, "sink-accept-" + address);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void refuse(Socket s) {
        try (s) {
            s.getOutputStream().write("421 4.3.2 too many connections\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // gone
        }
    }

    /** One SMTP session. */
    private void serve(Socket raw, String name) throws IOException {
        counters.connections.incrementAndGet();
        raw.setSoTimeout(READ_TIMEOUT_MS);
        raw.setTcpNoDelay(true);
        Socket socket = raw;
        LineReader in = new LineReader(socket.getInputStream(), MAX_LINE);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        boolean secure = false;
        boolean sender = false;
        int recipients = 0;
        reply(out, "220 " + name + " ESMTP benchmark sink");
        for (int i = 0; i < MAX_COMMANDS_PER_CONNECTION; i++) {
            String line = in.readLine();
            if (line == null) {
                return;
            }
            int space = line.indexOf(' ');
            String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO":
                    sender = false;
                    recipients = 0;
                    reply(out, "250-" + name + "\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
                        + (secure ? "" : "250-STARTTLS\r\n") + "250 ENHANCEDSTATUSCODES");
                    break;
                case "HELO":
                    sender = false;
                    recipients = 0;
                    reply(out, "250 " + name);
                    break;
                case "STARTTLS":
                    if (secure) {
                        reply(out, "503 5.5.1 TLS already active");
                        break;
                    }
                    reply(out, "220 2.0.0 Ready to start TLS");
                    socket = handshake(socket);
                    in = new LineReader(socket.getInputStream(), MAX_LINE);
                    out = new BufferedOutputStream(socket.getOutputStream(), 8192);
                    secure = true;
                    sender = false;
                    recipients = 0;
                    break;
                case "MAIL":
                    if (sender) {
                        reply(out, "503 5.5.1 nested MAIL command");
                    } else {
                        sender = true;
                        reply(out, "250 2.1.0 Ok");
                    }
                    break;
                case "RCPT":
                    if (!sender) {
                        reply(out, "503 5.5.1 need MAIL command");
                    } else {
                        recipients++;
                        reply(out, "250 2.1.5 Ok");
                    }
                    break;
                case "DATA":
                    if (recipients == 0) {
                        reply(out, "503 5.5.1 need RCPT command");
                        break;
                    }
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    receiveMessage(in, secure);
                    sender = false;
                    recipients = 0;
                    reply(out, "250 2.0.0 Ok: queued");
                    break;
                case "RSET":
                    sender = false;
                    recipients = 0;
                    reply(out, "250 2.0.0 Ok");
                    break;
                case "NOOP":
                    reply(out, "250 2.0.0 Ok");
                    break;
                case "VRFY":
                    reply(out, "252 2.0.0 Cannot VRFY");
                    break;
                case "QUIT":
                    reply(out, "221 2.0.0 Bye");
                    return;
                default:
                    reply(out, "502 5.5.2 command not recognized");
            }
        }
    }

    private Socket handshake(Socket socket) throws IOException {
        long started = System.currentTimeMillis();
        SSLSocket ssl = (SSLSocket) tls.createSocket(socket, socket.getInetAddress().getHostAddress(),
            socket.getPort(), true);
        ssl.setUseClientMode(false);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            counters.tlsFailed.incrementAndGet();
            throw e;
        }
        SSLSession session = ssl.getSession();
        // A resumed session keeps the creation time (and, for TLS 1.2, the id) of the session it resumes.
        boolean knownId = session.getId().length > 0 && !seenSessions.add(hex(session.getId()));
        boolean resumed = knownId || session.getCreationTime() < started;
        (resumed ? counters.tlsResumed : counters.tlsFull).incrementAndGet();
        return ssl;
    }

    /** Reads up to the final dot; records the message when its end marker is there. */
    private void receiveMessage(LineReader in, boolean secure) throws IOException {
        Counters c = counters;
        String id = null;
        String last = "";
        boolean headers = true;
        long bytes = 0;
        for (int i = 0; i < MAX_MESSAGE_LINES; i++) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed during DATA");
            }
            if (line.equals(".")) {
                long micros = micros(Instant.now());
                c.messages.incrementAndGet();
                c.bytes.addAndGet(bytes);
                if (id == null || !last.equals(BenchMail.END_MARKER + id)) {
                    c.truncated.incrementAndGet();
                } else {
                    c.records.add(id + " " + micros + " " + (secure ? "tls" : "plain"));
                }
                return;
            }
            if (line.startsWith(".")) {
                line = line.substring(1);
            }
            bytes += line.length() + 2;
            if (headers) {
                if (line.isEmpty()) {
                    headers = false;
                } else if (line.regionMatches(true, 0, ID_PREFIX, 0, ID_PREFIX.length())) {
                    id = line.substring(ID_PREFIX.length()).trim();
                }
            } else if (!line.isEmpty()) {
                last = line;
            }
        }
        throw new IOException("message longer than " + MAX_MESSAGE_LINES + " lines");
    }

    private void serveControl(ServerSocket control) {
        for (int i = 0; i < MAX_ACCEPTS; i++) {
            try (Socket s = control.accept()) {
                s.setSoTimeout(30_000);
                LineReader in = new LineReader(s.getInputStream(), 1024);
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                String command = in.readLine();
                if (command == null) {
                    continue;
                }
                switch (command.trim().toUpperCase(Locale.ROOT)) {
                    case "PING":
                        reply(out, "OK");
                        break;
                    case "RESET":
                        counters = new Counters();
                        reply(out, "OK");
                        break;
                    case "STATS":
                        reply(out, "OK " + stats(counters));
                        break;
                    case "RECORDS":
                        List<String> lines = new ArrayList<>(counters.records);
                        lines.add(".");
                        reply(out, String.join("\r\n", lines));
                        break;
                    case "SHUTDOWN":
                        reply(out, "OK");
                        System.exit(0);
                        break;
                    default:
                        reply(out, "ERR unknown command");
                }
            } catch (IOException e) {
                // next control client
            }
        }
    }

    private String stats(Counters c) {
        return "messages=" + c.messages.get() + " connections=" + c.connections.get() + " open=" + open.get()
            + " tlsFull=" + c.tlsFull.get() + " tlsResumed=" + c.tlsResumed.get() + " tlsFailed=" + c.tlsFailed.get()
            + " truncated=" + c.truncated.get() + " bytes=" + c.bytes.get();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
