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
import java.time.Duration;
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
 * The benchmark's receiving MTAs: one JVM ({@link SinkProcess} starts it) listening on one port of several loopback
 * addresses, a thread per connection (at most {@link #MAX_CONNECTIONS}), each running a {@link SinkSession} (ESMTP
 * like a Postfix 3.7: PIPELINING, SIZE, STARTTLS with a JSSE server context, 8BITMIME, CHUNKING). With
 * {@code rtt=MS} the same JVM also runs a {@link DelayProxy} on port {@code proxyPort} of each address, in front of
 * the sink there, so the clients dial the proxy (stock RemoteDelivery only dials port 25):
 * <pre>
 * java -cp target/test-classes org.jamestls.it.bench.SmtpSink addresses=127.0.1.1,127.0.1.2 port=2626 \
 *     rtt=50 proxyPort=25 pipelining=true chunking=true control=127.0.1.1:10999 keystore=sink.p12 storepass=secret
 * </pre>
 *
 * <p>Control channel (one line command, one reply; {@link SinkProcess} is the client): {@code PING},
 * {@code RESET} (new counters and records, the proxy's too), {@code STATS} ({@code OK key=value ...}, the proxy's
 * prefixed {@code proxy.}), {@code RECORDS} (one line {@code id micros tls|plain data|bdat} per message, then
 * {@code .}), {@code SHUTDOWN}.
 *
 * <p>The process exits when its standard input closes (the benchmark JVM is gone) or after {@link #MAX_LIFETIME_MS}.
 */
public final class SmtpSink {

    static final int MAX_CONNECTIONS = 1024;
    private static final int MAX_ACCEPTS = 10_000_000;
    private static final int MAX_NOTES = 200;
    private static final long MAX_LIFETIME_MS = 3L * 3600 * 1000;

    /** What the sinks offer; from the command line. */
    static final class Options {
        final boolean pipelining;
        final boolean chunking;
        final long sizeLimit;

        Options(boolean pipelining, boolean chunking, long sizeLimit) {
            this.pipelining = pipelining;
            this.chunking = chunking;
            this.sizeLimit = sizeLimit;
        }
    }

    /** Counters since the last RESET. */
    static final class Counters {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger tlsFull = new AtomicInteger();
        final AtomicInteger tlsResumed = new AtomicInteger();
        final AtomicInteger tlsFailed = new AtomicInteger();
        final AtomicInteger messages = new AtomicInteger();
        final AtomicInteger dataMessages = new AtomicInteger();
        final AtomicInteger bdatMessages = new AtomicInteger();
        final AtomicInteger truncated = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong pipelinedCommands = new AtomicLong();
        /** Transactions whose first command came behind the previous message's end, before its reply. */
        final AtomicLong postDotPipelining = new AtomicLong();
        final AtomicLong unadvertisedPipelining = new AtomicLong();
        final AtomicLong improperPipelining = new AtomicLong();
        final AtomicLong plaintextAfterStartTls = new AtomicLong();
        final AtomicLong errorReplies = new AtomicLong();
        final AtomicLong setupRoundTrips = new AtomicLong();
        final AtomicLong sessionsWithMail = new AtomicLong();
        final AtomicLong reusedRoundTrips = new AtomicLong();
        final AtomicLong reusedTransactions = new AtomicLong();
        final ConcurrentLinkedQueue<String> records = new ConcurrentLinkedQueue<>();
    }

    private final SSLSocketFactory tls;
    private final Options options;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sink-connection");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger notes = new AtomicInteger();
    private final Set<String> seenSessions = ConcurrentHashMap.newKeySet();
    private volatile Counters counters = new Counters();
    private volatile DelayProxy proxy;
    private final List<InetSocketAddress> listening = new java.util.concurrent.CopyOnWriteArrayList<>();

    SmtpSink(SSLSocketFactory tls, Options options) {
        this.tls = tls;
        this.options = options;
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
        Options options = new Options(Boolean.parseBoolean(opts.getOrDefault("pipelining", "true")),
            Boolean.parseBoolean(opts.getOrDefault("chunking", "true")),
            Long.parseLong(opts.getOrDefault("sizeLimit", "52428800")));
        SmtpSink sink = new SmtpSink(serverContext(required(opts, "keystore"), required(opts, "storepass"))
            .getSocketFactory(), options);
        int port = Integer.parseInt(required(opts, "port"));
        List<DelayProxy.Route> routes = new ArrayList<>();
        for (String address : required(opts, "addresses").split(",")) {
            InetSocketAddress at = sink.listen(new InetSocketAddress(InetAddress.getByName(address.trim()), port));
            if (opts.containsKey("rtt")) {
                routes.add(new DelayProxy.Route(new InetSocketAddress(at.getAddress(),
                    Integer.parseInt(required(opts, "proxyPort"))), at));
            }
        }
        if (!routes.isEmpty()) {
            sink.proxy = DelayProxy.start(Duration.ofMillis(Long.parseLong(opts.get("rtt"))), routes);
        }
        String[] control = required(opts, "control").split(":");
        ServerSocket controlSocket = bind(new InetSocketAddress(InetAddress.getByName(control[0]),
            Integer.parseInt(control[1])));
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

    static SSLContext serverContext(String keystore, String password) throws Exception {
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

    private static ServerSocket bind(InetSocketAddress address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 512);
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

    /** Starts accepting SMTP sessions on {@code address} (port 0: any); returns the bound address. */
    InetSocketAddress listen(InetSocketAddress address) throws IOException {
        ServerSocket server = bind(address);
        String name = "mx-" + address.getAddress().getHostAddress() + ".sink.test";
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
                        new SinkSession(this, s, name).serve();
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
        InetSocketAddress bound = (InetSocketAddress) server.getLocalSocketAddress();
        listening.add(bound);
        return bound;
    }

    /** The first address {@link #listen} bound. */
    InetSocketAddress listening() {
        return listening.get(0);
    }

    private static void refuse(Socket s) {
        try (s) {
            s.getOutputStream().write("421 4.3.2 too many connections\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // gone
        }
    }

    Options options() {
        return options;
    }

    Counters counters() {
        return counters;
    }

    /** The running round-trip count of the proxied connection the sink sees as {@code peer}, or -1. */
    long roundTripsOf(InetSocketAddress peer) {
        DelayProxy p = proxy;
        return p == null ? -1 : p.roundTripsOf(peer);
    }

    /** A protocol oddity worth reading in sink.log (bounded). */
    void note(String text) {
        if (notes.incrementAndGet() <= MAX_NOTES) {
            System.out.println(Instant.now() + " " + text);
        }
    }

    /** Server side of STARTTLS on {@code socket}; counts full and resumed handshakes. */
    Socket handshake(Socket socket) throws IOException {
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
                        reset();
                        reply(out, "OK");
                        break;
                    case "STATS":
                        reply(out, "OK " + stats());
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

    /** New counters and records (and the proxy's). */
    void reset() {
        counters = new Counters();
        notes.set(0);
        DelayProxy p = proxy;
        if (p != null) {
            p.reset();
        }
    }

    /** {@code key=value ...}: the counters, sessions open now, and the proxy's counters when there is one. */
    String stats() {
        Counters c = counters;
        StringBuilder sb = new StringBuilder();
        sb.append("messages=").append(c.messages.get()).append(" connections=").append(c.connections.get())
            .append(" open=").append(open.get()).append(" tlsFull=").append(c.tlsFull.get())
            .append(" tlsResumed=").append(c.tlsResumed.get()).append(" tlsFailed=").append(c.tlsFailed.get())
            .append(" truncated=").append(c.truncated.get()).append(" bytes=").append(c.bytes.get())
            .append(" dataMessages=").append(c.dataMessages.get()).append(" bdatMessages=").append(c.bdatMessages.get())
            .append(" pipelinedCommands=").append(c.pipelinedCommands.get())
            .append(" postDotPipelining=").append(c.postDotPipelining.get())
            .append(" unadvertisedPipelining=").append(c.unadvertisedPipelining.get())
            .append(" improperPipelining=").append(c.improperPipelining.get())
            .append(" plaintextAfterStartTls=").append(c.plaintextAfterStartTls.get())
            .append(" errorReplies=").append(c.errorReplies.get())
            .append(" setupRoundTrips=").append(c.setupRoundTrips.get())
            .append(" sessionsWithMail=").append(c.sessionsWithMail.get())
            .append(" reusedRoundTrips=").append(c.reusedRoundTrips.get())
            .append(" reusedTransactions=").append(c.reusedTransactions.get());
        DelayProxy p = proxy;
        if (p != null) {
            DelayProxy.Stats ps = p.stats();
            sb.append(" proxy.sessionsOpened=").append(ps.sessionsOpened).append(" proxy.openNow=").append(ps.openNow)
                .append(" proxy.maxOpen=").append(ps.maxOpen).append(" proxy.maxInUse=").append(ps.maxInUse).append(" proxy.roundTrips=").append(ps.roundTrips)
                .append(" proxy.bytesToServer=").append(ps.bytesToServer)
                .append(" proxy.bytesToClient=").append(ps.bytesToClient).append(" proxy.cpuMillis=").append(ps.cpuMillis);
        }
        return sb.toString();
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
