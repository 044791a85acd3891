package org.jamestls.it.support;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A man in the middle between James and a real receiver that attacks STARTTLS or breaks the session at
 * one SMTP stage, and keeps every byte the client sent so a test can prove what crossed it. It relays
 * SMTP line by line. Built with {@link #terminatingTls}, it offers STARTTLS itself and terminates the
 * client's TLS, so the same faults also strike inside an encrypted session (the hop to the receiver is then
 * plaintext). {@link #heal()} turns it into a faithful relay.
 *
 * <p>Built with {@link #randomFaults}, it draws one fault per client connection from a {@link Random} with a
 * given seed (weighted); a fault of a mail transaction also draws which transaction of the connection
 * (1 to {@link #RANDOM_MAX_TRANSACTION}) it strikes, as clients reuse connections. It counts each fault it actually injected ({@link #injected()}) and, for every reset
 * after the final dot, the recipients of that transaction ({@link #resetAfterDotRecipients()}): the receiver
 * has that mail though the client cannot know, so a later retry makes a legitimate duplicate. The seed fixes
 * the sequence of draws; which mail meets which draw depends on the order connections arrive.
 */
public final class SmtpFaultProxy implements AutoCloseable {
    public enum Fault {
        /** Relays faithfully. */
        NONE,
        /** Removes STARTTLS from the EHLO answer. */
        STRIP_FROM_EHLO,
        /** Answers STARTTLS itself with 454, as if TLS were unavailable. */
        REJECT_STARTTLS,
        /** Answers STARTTLS itself with 220, then talks plaintext instead of a handshake. */
        FAKE_GO_AHEAD,
        /** Resets the client's connection before the greeting. */
        RESET_BEFORE_GREETING,
        /** Answers the client with 421 instead of the receiver's greeting. */
        GREETING_421,
        /** Resets after relaying the answer to MAIL FROM. */
        RESET_AFTER_MAIL_FROM,
        /** Resets in the middle of the message data (DATA's lines or a BDAT chunk's bytes). */
        RESET_DURING_DATA,
        /** Relays the whole message and the receiver's 250, then resets before the client sees that 250. */
        RESET_AFTER_FINAL_DOT,
        /** Nothing listens until {@link #heal()}: connections are refused by the kernel. */
        CONNECTION_REFUSED
    }

    private static final int MAX_LINES = 100_000;

    /** Faults a random-fault proxy may draw, in the order of {@link #injected()}. */
    public static final List<Fault> RANDOM_FAULTS = List.of(Fault.NONE, Fault.RESET_BEFORE_GREETING, Fault.GREETING_421,
        Fault.RESET_AFTER_MAIL_FROM, Fault.RESET_DURING_DATA, Fault.RESET_AFTER_FINAL_DOT);
    /** A random transaction-stage fault strikes in one of the first this many transactions of its connection. */
    public static final int RANDOM_MAX_TRANSACTION = 3;

    private final Random random;
    private final Map<Fault, Integer> weights;
    private volatile boolean healed;
    private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
    private final List<List<String>> resetAfterDot = Collections.synchronizedList(new ArrayList<>());
    /** The transaction the fault just drawn by this session thread strikes (1 outside random mode). */
    private final ThreadLocal<Integer> drawnTransaction = ThreadLocal.withInitial(() -> 1);

    private volatile Fault fault;
    private final InetSocketAddress listen;
    private final InetSocketAddress upstream;
    private final SSLContext tlsTermination;
    private final ServerSocket server;
    private Thread acceptor;
    private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();
    private final AtomicInteger tlsSessions = new AtomicInteger();

    public SmtpFaultProxy(Fault fault, String listenIp, int port, String upstreamIp, int upstreamPort) throws IOException {
        this(fault, listenIp, port, upstreamIp, upstreamPort, null);
    }

    private SmtpFaultProxy(Fault fault, String listenIp, int port, String upstreamIp, int upstreamPort,
            SSLContext tlsTermination) throws IOException {
        this(fault, listenIp, port, upstreamIp, upstreamPort, tlsTermination, null, null);
    }

    private SmtpFaultProxy(Fault fault, String listenIp, int port, String upstreamIp, int upstreamPort,
            SSLContext tlsTermination, Random random, Map<Fault, Integer> weights) throws IOException {
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        this.random = random;
        this.weights = weights;
        this.fault = fault;
        this.listen = new InetSocketAddress(InetAddress.getByName(listenIp), port);
        this.upstream = new InetSocketAddress(upstreamIp, upstreamPort);
        this.tlsTermination = tlsTermination;
        this.server = new ServerSocket();
        if (fault != Fault.CONNECTION_REFUSED) {
            startListening();
        }
    }

    /**
     * A proxy that offers STARTTLS to the client whatever the receiver offers, and completes the client's
     * handshake itself with {@code serverContext}: the fault then happens inside TLS, where only the proxy sees
     * the SMTP stage. The upstream receiver should be a plaintext one.
     */
    public static SmtpFaultProxy terminatingTls(Fault fault, String listenIp, int port, String upstreamIp,
            int upstreamPort, SSLContext serverContext) throws IOException {
        return new SmtpFaultProxy(fault, listenIp, port, upstreamIp, upstreamPort, serverContext);
    }

    /**
     * A plaintext proxy that draws a fault per connection among {@code weights}' keys (each of
     * {@link #RANDOM_FAULTS}), with the given relative weights, from {@code new Random(seed)}, until {@link #heal()}.
     */
    public static SmtpFaultProxy randomFaults(long seed, Map<Fault, Integer> weights, String listenIp, int port,
            String upstreamIp, int upstreamPort) throws IOException {
        if (!RANDOM_FAULTS.containsAll(weights.keySet()) || weights.values().stream().anyMatch(w -> w < 0)) {
            throw new IllegalArgumentException("weights for " + RANDOM_FAULTS + " only, not negative: " + weights);
        }
        return new SmtpFaultProxy(Fault.NONE, listenIp, port, upstreamIp, upstreamPort, null, new Random(seed),
            new EnumMap<>(weights));
    }

    /** How many times each fault was injected (NONE: connections relayed without a fault), in enum order. */
    public Map<Fault, Integer> injected() {
        Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
        injected.forEach((f, n) -> counts.put(f, n.get()));
        return counts;
    }

    /** The accepted recipients of each transaction reset after the final dot (the receiver had the mail). */
    public List<List<String>> resetAfterDotRecipients() {
        synchronized (resetAfterDot) {
            return new ArrayList<>(resetAfterDot);
        }
    }

    /** The fault for a new connection: drawn in random mode (until healed), else the proxy's fault. */
    private Fault draw() {
        Random r = random;
        if (r == null || healed) {
            return fault;
        }
        synchronized (r) {
            drawnTransaction.set(1 + r.nextInt(RANDOM_MAX_TRANSACTION));
            int total = weights.values().stream().mapToInt(Integer::intValue).sum();
            int pick = r.nextInt(total);
            for (Map.Entry<Fault, Integer> w : weights.entrySet()) {
                pick -= w.getValue();
                if (pick < 0) {
                    return w.getKey();
                }
            }
            throw new IllegalStateException("weights " + weights);
        }
    }

    /** Whether {@code attack} strikes now; a random-mode fault drawn before {@link #heal()} no longer does. */
    private boolean strikes(Fault attack, Fault stage) {
        if (attack != stage || (random != null && healed)) {
            return false;
        }
        injected.get(stage).incrementAndGet();
        return true;
    }

    private synchronized void startListening() throws IOException {
        if (server.isBound()) {
            return;
        }
        server.setReuseAddress(true);
        server.bind(listen);
        server.setSoTimeout(200);
        acceptor = new Thread(this::acceptUntilClosed, "smtp-fault-" + fault);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** From now on the proxy relays faithfully (and listens, if it refused connections): the fault is repaired. */
    public void heal() throws IOException {
        healed = true;
        fault = Fault.NONE;
        startListening();
    }

    /** How many client sessions completed a TLS handshake with this proxy. */
    public int tlsSessions() {
        return tlsSessions.get();
    }

    /** Everything any client sent to the proxy, as text (binary TLS records show up as garbage). */
    public String bytesFromClients() {
        synchronized (fromClients) {
            return fromClients.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread session = new Thread(() -> relay(client), "smtp-fault-session");
                session.setDaemon(true);
                session.start();
            } catch (SocketTimeoutException e) {
                // poll until closed
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        Fault attack = draw();
        int strikeAt = drawnTransaction.get();
        int transaction = 0;
        if (random != null && attack == Fault.NONE && !healed) {
            injected.get(Fault.NONE).incrementAndGet();
        }
        List<String> transactionRecipients = new ArrayList<>();
        try (client; Socket server = new Socket()) {
            client.setSoTimeout(30_000);
            server.connect(upstream, 5_000);
            server.setSoTimeout(30_000);
            BufferedReader fromClient = reader(new RecordingInputStream(client.getInputStream()));
            BufferedReader fromServer = reader(server.getInputStream());
            OutputStream toClient = client.getOutputStream();
            OutputStream toServer = server.getOutputStream();
            boolean inTls = false;
            List<String> greeting = readReply(fromServer);
            if (strikes(attack, Fault.RESET_BEFORE_GREETING)) {
                reset(client);
                return;
            }
            if (strikes(attack, Fault.GREETING_421)) {
                write(toClient, List.of("421 4.3.2 Service not available"));
                return;
            }
            write(toClient, greeting);
            for (int i = 0; i < MAX_LINES; i++) {
                String line = fromClient.readLine();
                if (line == null) {
                    return;
                }
                String verb = line.toUpperCase();
                if (verb.equals("STARTTLS") && (attack == Fault.REJECT_STARTTLS || attack == Fault.FAKE_GO_AHEAD)) {
                    write(toClient, List.of(attack == Fault.REJECT_STARTTLS ? "454 4.7.0 TLS not available" : "220 2.0.0 Ready to start TLS"));
                    if (attack == Fault.FAKE_GO_AHEAD) {
                        // plaintext where the server hello should be: the client's handshake must fail
                        write(toClient, List.of("250 plaintext, no TLS here"));
                    }
                    continue;
                }
                if (verb.equals("STARTTLS") && tlsTermination != null && !inTls) {
                    write(toClient, List.of("220 2.0.0 Ready to start TLS"));
                    SSLSocket tls = (SSLSocket) tlsTermination.getSocketFactory().createSocket(client, null, false);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    tlsSessions.incrementAndGet();
                    inTls = true;
                    // the raw socket keeps recording: from here on the client's bytes are TLS records
                    fromClient = reader(tls.getInputStream());
                    toClient = tls.getOutputStream();
                    continue;
                }
                if (verb.matches("BDAT \\d+( LAST)?")) {
                    // RFC 3030: exactly n bytes follow the command; its reply settles the message like the final dot's
                    boolean thisTransaction = transaction == strikeAt;
                    boolean cut = thisTransaction && attack == Fault.RESET_DURING_DATA && !(random != null && healed);
                    write(toServer, List.of(line));
                    if (!relayChunk(fromClient, toServer, Integer.parseInt(verb.split(" ")[1]), cut)) {
                        if (cut) {
                            injected.get(Fault.RESET_DURING_DATA).incrementAndGet();
                        }
                        reset(client);
                        return;
                    }
                    List<String> accepted = readReply(fromServer);
                    if (verb.endsWith(" LAST") && thisTransaction && accepted.get(0).startsWith("2")
                            && strikes(attack, Fault.RESET_AFTER_FINAL_DOT)) {
                        resetAfterDot.add(List.copyOf(transactionRecipients));
                        reset(client);
                        return;
                    }
                    write(toClient, accepted);
                    continue;
                }
                write(toServer, List.of(line));
                List<String> reply = readReply(fromServer);
                if (verb.startsWith("EHLO") && (attack == Fault.STRIP_FROM_EHLO || inTls)) {
                    reply = stripStartTls(reply);
                } else if (verb.startsWith("EHLO") && tlsTermination != null) {
                    reply = offerStartTls(reply);
                }
                if (verb.startsWith("MAIL FROM") || verb.startsWith("RSET")) {
                    transactionRecipients.clear();
                }
                if (verb.startsWith("MAIL FROM")) {
                    transaction++;
                }
                boolean thisTransaction = transaction == strikeAt;
                if (verb.startsWith("RCPT TO:") && reply.get(0).startsWith("2")) {
                    transactionRecipients.add(address(line.substring("RCPT TO:".length())));
                }
                if (verb.startsWith("MAIL FROM") && thisTransaction && strikes(attack, Fault.RESET_AFTER_MAIL_FROM)) {
                    write(toClient, reply);
                    reset(client);
                    return;
                }
                write(toClient, reply);
                if (verb.equals("DATA") && reply.get(0).startsWith("354")) {
                    boolean cut = thisTransaction && attack == Fault.RESET_DURING_DATA && !(random != null && healed);
                    if (!relayBody(fromClient, toServer, cut)) {
                        if (cut) {
                            injected.get(Fault.RESET_DURING_DATA).incrementAndGet();
                        }
                        reset(client);
                        return;
                    }
                    List<String> accepted = readReply(fromServer);
                    if (thisTransaction && accepted.get(0).startsWith("2") && strikes(attack, Fault.RESET_AFTER_FINAL_DOT)) {
                        resetAfterDot.add(List.copyOf(transactionRecipients));
                        reset(client);
                        return;
                    }
                    write(toClient, accepted);
                }
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // either side went away: the session is over
        }
    }

    /** {@code <a@b> SIZE=1} -> {@code a@b}, lower case. */
    private static String address(String rcptArgument) {
        String a = rcptArgument.trim();
        int open = a.indexOf('<');
        int close = a.indexOf('>');
        return (open >= 0 && close > open ? a.substring(open + 1, close) : a).toLowerCase(java.util.Locale.ROOT);
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
    }

    /** Relays the message up to its final dot; false when it stopped half-way (to break the session). */
    private static boolean relayBody(BufferedReader fromClient, OutputStream toServer, boolean stopHalfWay) throws IOException {
        for (int i = 0; i < MAX_LINES; i++) {
            String line = fromClient.readLine();
            if (line == null || (stopHalfWay && i == 3)) {
                return false;
            }
            write(toServer, List.of(line));
            if (line.equals(".")) {
                return true;
            }
        }
        return false;
    }

    /** Relays the n bytes of a BDAT chunk (ISO-8859-1: one char per byte); false when it stopped half-way. */
    private static boolean relayChunk(BufferedReader fromClient, OutputStream toServer, int size, boolean stopHalfWay)
            throws IOException {
        int relay = stopHalfWay ? size / 2 : size;
        char[] chunk = new char[8192];
        for (int done = 0; done < relay; ) {
            int n = fromClient.read(chunk, 0, Math.min(chunk.length, relay - done));
            if (n < 0) {
                return false;
            }
            toServer.write(new String(chunk, 0, n).getBytes(StandardCharsets.ISO_8859_1));
            done += n;
        }
        toServer.flush();
        return !stopHalfWay;
    }

    /** Closes with a TCP reset (SO_LINGER 0) rather than an orderly FIN. */
    private static void reset(Socket client) throws IOException {
        client.setSoLinger(true, 0);
        client.close();
    }

    private static List<String> stripStartTls(List<String> reply) {
        List<String> kept = new ArrayList<>();
        for (String line : reply) {
            if (!line.substring(4).trim().equalsIgnoreCase("STARTTLS")) {
                kept.add(line);
            }
        }
        return renumbered(kept);
    }

    private static List<String> offerStartTls(List<String> reply) {
        if (reply.stream().anyMatch(line -> line.substring(4).trim().equalsIgnoreCase("STARTTLS"))) {
            return reply;
        }
        List<String> offered = new ArrayList<>(reply);
        offered.add("250 STARTTLS");
        return renumbered(offered);
    }

    /** Continuation marks right again: '-' after the code on every line but the last. */
    private static List<String> renumbered(List<String> lines) {
        List<String> kept = new ArrayList<>(lines);
        // the last line of a multi-line reply has a space after the code
        String last = kept.remove(kept.size() - 1);
        kept.add(last.substring(0, 3) + " " + last.substring(4));
        for (int i = 0; i < kept.size() - 1; i++) {
            kept.set(i, kept.get(i).substring(0, 3) + "-" + kept.get(i).substring(4));
        }
        return kept;
    }

    private static List<String> readReply(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("upstream closed");
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return lines;
            }
        }
        throw new IOException("reply too long");
    }

    private static void write(OutputStream out, List<String> lines) throws IOException {
        for (String line : lines) {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    @Override
    public void close() throws Exception {
        server.close();
        if (acceptor != null) {
            acceptor.join(2000);
        }
    }

    /** Copies every byte read from a client into {@link #fromClients}. */
    private final class RecordingInputStream extends InputStream {
        private final InputStream in;

        RecordingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                synchronized (fromClients) {
                    fromClients.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                synchronized (fromClients) {
                    fromClients.write(buffer, offset, n);
                }
            }
            return n;
        }
    }
}
