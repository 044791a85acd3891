package org.jamestls.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small in-process SMTP receiver for unit tests: it can offer STARTTLS, hide it, or break the
 * handshake, offer REQUIRETLS after STARTTLS, offer PIPELINING (holding a group's replies, or answering one command at
 * a time) and CHUNKING (BDAT, RFC 3030), leave 8BITMIME out, cut its replies into TCP segments ({@link ReplySegments}),
 * break a chosen transaction ({@link Fault}), and it records every command, a transcript that shows which commands came
 * pipelined, whether message data arrived (and over TLS or not) and each message as it arrived (DATA unstuffed, BDAT
 * as its bytes). It stands in where a real receiver cannot be made to misbehave on cue.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    public enum TlsBehaviour { STARTTLS_WORKS, STARTTLS_NOT_OFFERED, HANDSHAKE_FAILS }

    /** What goes wrong in the transactions chosen with {@link #withFault} (numbered by MAIL FROM over all connections). */
    public enum Fault {
        /** Closes the connection on reading MAIL FROM, without a reply: to the client, a session closed while idle. */
        CLOSE_BEFORE_MAIL_REPLY,
        /** Answers MAIL FROM, then closes. */
        CLOSE_AFTER_MAIL_REPLY,
        /** Answers MAIL FROM with a line that is no SMTP reply, then goes on as if nothing happened. */
        GARBAGE_REPLY_TO_MAIL,
        /** Reads the message and its final dot (or its {@code BDAT LAST} chunk), never answers, keeps the connection open. */
        SILENT_AFTER_DOT,
        /** Reads the message and its final dot (or its {@code BDAT LAST} chunk), closes without answering. */
        CLOSE_AFTER_DOT,
        /** Answers the final dot only after {@link #dotReplyDelayMillis}. */
        SLOW_DOT_REPLY,
        /** Answers the final dot, then closes, as a receiver whose idle timeout is shorter than the client's. */
        CLOSE_AFTER_DOT_REPLY
    }

    /**
     * How each write of replies (one reply, or a pipelined group's held replies together) is cut into TCP segments:
     * every piece is flushed on its own after {@link #SEGMENT_PAUSE_MILLIS}, so the client reads it alone.
     */
    public enum ReplySegments {
        /** The write whole, in one segment. */
        WHOLE,
        /** After the first two bytes and in the middle of the rest ({@code 25|0 2.1|.0 ok}): mid-line, and across replies. */
        MID_LINE,
        /** After every line end: a multi-line reply line by line, a group's replies one by one. */
        AT_LINE_ENDS,
        /** Between every CR and its LF. */
        CR_APART_FROM_LF;

        List<String> cut(String written) {
            List<String> pieces = new ArrayList<>();
            switch (this) {
                case MID_LINE:
                    int middle = 2 + (written.length() - 2) / 2;
                    pieces.add(written.substring(0, 2));
                    pieces.add(written.substring(2, middle));
                    pieces.add(written.substring(middle));
                    break;
                case AT_LINE_ENDS:
                    pieces.addAll(List.of(written.split("(?<=\\n)")));
                    break;
                case CR_APART_FROM_LF:
                    pieces.addAll(List.of(written.split("(?<=\\r)")));
                    break;
                default:
                    pieces.add(written);
            }
            return pieces;
        }
    }

    /** The pause before each piece of a cut reply, and before each reply of a receiver answering one at a time. */
    public static final long SEGMENT_PAUSE_MILLIS = 20;

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
    private volatile boolean offersPipelining;
    private volatile boolean holdsGroupReplies;
    private volatile ReplySegments segments = ReplySegments.WHOLE;
    private volatile long replyPauseMillis;
    private volatile boolean staysAfter421;
    private volatile boolean offersChunking;
    private volatile boolean offers8BitMime = true;
    private final List<String> messageContents = Collections.synchronizedList(new ArrayList<>());
    private volatile Fault fault;
    private volatile Set<Integer> faultyMessages = Set.of();
    private volatile long dotReplyDelayMillis = 1500;
    private final StringBuffer transcript = new StringBuffer();
    private final java.util.concurrent.atomic.AtomicInteger messagesAccepted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean dataReceived;
    private volatile boolean dataReceivedOverTls;
    private volatile long finalDotDelayMillis;
    private volatile boolean released;
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

    /**
     * Announces PIPELINING (RFC 2920) and holds the replies to MAIL FROM and RCPT TO until the group ends (DATA or
     * any other command), as section 3.2 lets a server do: only a client that really pipelines gets them.
     */
    public ScriptedSmtpServer offeringPipelining() {
        offersPipelining = true;
        holdsGroupReplies = true;
        return this;
    }

    /**
     * Announces PIPELINING but answers like a lock-step receiver: reads one command, waits
     * {@link #SEGMENT_PAUSE_MILLIS}, answers it in a write of its own, then reads the next.
     */
    public ScriptedSmtpServer offeringPipeliningAnsweringOneAtATime() {
        offersPipelining = true;
        holdsGroupReplies = false;
        replyPauseMillis = SEGMENT_PAUSE_MILLIS;
        return this;
    }

    /** Cuts every write of replies, the greeting and EHLO's included, as {@code segments} says. */
    public ScriptedSmtpServer cuttingReplies(ReplySegments segments) {
        this.segments = segments;
        replyPauseMillis = segments == ReplySegments.WHOLE ? replyPauseMillis : SEGMENT_PAUSE_MILLIS;
        return this;
    }

    /** After a 421 (to MAIL FROM or RCPT TO) keeps the connection open and goes on answering, instead of closing. */
    public ScriptedSmtpServer stayingOpenAfter421() {
        staysAfter421 = true;
        return this;
    }

    /**
     * Announces CHUNKING (RFC 3030): {@code BDAT n [LAST]} is followed by exactly n bytes. With PIPELINING, the replies
     * held for the group are held until the bytes of the BDAT that ends it are read, so a client that waits for any
     * reply before sending the message bytes hangs: only one that sends the whole group at once gets them.
     */
    public ScriptedSmtpServer offeringChunking() {
        offersChunking = true;
        return this;
    }

    /** Leaves 8BITMIME out of the EHLO answer. */
    public ScriptedSmtpServer without8BitMime() {
        offers8BitMime = false;
        return this;
    }

    /**
     * Each message as it arrived, one char per byte (ISO-8859-1): by DATA with the final dot removed and the
     * dot-stuffing undone, by BDAT the bytes of its chunks; only messages that were answered 250.
     */
    public List<String> messageContents() {
        return List.copyOf(messageContents);
    }

    /** Breaks the transactions with these MAIL FROM numbers (1-based, over all connections) as {@code fault} says. */
    public ScriptedSmtpServer withFault(Fault fault, Integer... messageNumbers) {
        this.fault = fault;
        this.faultyMessages = Set.of(messageNumbers);
        return this;
    }

    /** How long {@link Fault#SLOW_DOT_REPLY} waits before answering the final dot. */
    public ScriptedSmtpServer withDotReplyDelay(long millis) {
        dotReplyDelayMillis = millis;
        return this;
    }

    /**
     * Every command's verb in order, {@code +} before one that arrived while an earlier reply was still owed (sent
     * pipelined), a space otherwise, and {@code .} for a message's end: {@code EHLO MAIL+RCPT+DATA . MAIL+RCPT+DATA .}
     */
    public String transcript() {
        return transcript.toString().trim();
    }

    /** Messages whose final dot this server answered with 250. */
    public int messagesAccepted() {
        return messagesAccepted.get();
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
            // each piece of a cut reply leaves when flushed, not held back by Nagle
            socket.setTcpNoDelay(replyPauseMillis > 0);
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
        Lines in = new Lines(socket);
        OutputStream out = socket.getOutputStream();
        send(out, "220 scripted.test ESMTP");
        List<String> held = new ArrayList<>();
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        int acceptedRecipients = 0;
        Fault current = null;
        boolean arrivedAhead = false;
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String upper = line.toUpperCase();
            transcript.append(arrivedAhead || !held.isEmpty() ? "+" : " ").append(upper.split("[ :]", 2)[0]);
            arrivedAhead = in.ready();
            boolean groupCommand = holdsGroupReplies && (upper.startsWith("MAIL FROM:") || upper.startsWith("RCPT TO:")
                || offersChunking && upper.startsWith("BDAT "));
            if (!groupCommand && !held.isEmpty()) {
                send(out, String.join("\r\n", held));
                held.clear();
            }
            if (upper.startsWith("EHLO")) {
                boolean offer = behaviour != TlsBehaviour.STARTTLS_NOT_OFFERED && !tls;
                send(out, "250-scripted.test" + (offer ? "\r\n250-STARTTLS" : "")
                    + (tls && offersRequireTls ? "\r\n250-REQUIRETLS" : "")
                    + (offersPipelining ? "\r\n250-PIPELINING" : "") + (offersChunking ? "\r\n250-CHUNKING" : "")
                    + (offers8BitMime ? "\r\n250-8BITMIME" : "")
                    + (sizeLimit > 0 ? "\r\n250-SIZE " + sizeLimit : "") + "\r\n250 ENHANCEDSTATUSCODES");
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
                in = new Lines(socket);
                out = socket.getOutputStream();
            } else if (upper.startsWith("MAIL FROM:")) {
                acceptedRecipients = 0;
                chunks.reset();
                int number = messages.incrementAndGet();
                current = faultyMessages.contains(number) ? fault : null;
                if (number == closeChannelAtMessage) {
                    send(out, "421 4.3.2 shutting down");
                    if (staysAfter421) {
                        continue;
                    }
                    return;
                }
                if (current == Fault.CLOSE_BEFORE_MAIL_REPLY) {
                    return;
                }
                if (current == Fault.GARBAGE_REPLY_TO_MAIL) {
                    send(out, "this is not an SMTP reply");
                    continue;
                }
                reply(out, held, groupCommand, mailFromReply);
                if (current == Fault.CLOSE_AFTER_MAIL_REPLY) {
                    send(out, String.join("\r\n", held));
                    return;
                }
            } else if (upper.startsWith("RCPT TO:")) {
                String reply = !mailFromReply.startsWith("2") ? "503 5.5.1 sender first" : recipientReplies.entrySet().stream()
                    .filter(entry -> upper.startsWith("RCPT TO:<" + entry.getKey()))
                    .map(java.util.Map.Entry::getValue).findFirst().orElse("250 2.1.5 ok");
                if (reply.startsWith("2")) {
                    acceptedRecipients++;
                }
                if (reply.startsWith("421")) {
                    held.add(reply);
                    send(out, String.join("\r\n", held));
                    held.clear();
                    if (staysAfter421) {
                        continue;
                    }
                    return;
                }
                reply(out, held, groupCommand, reply);
            } else if (offersChunking && upper.matches("BDAT \\d+( LAST)?")) {
                byte[] chunk = in.readExactly(Integer.parseInt(upper.split(" ")[1]));
                arrivedAhead = in.ready();
                if (chunk.length > 0) {
                    dataReceived = true;
                    dataReceivedOverTls = tls;
                }
                if (acceptedRecipients == 0) {
                    // as Postfix: the bytes are read and discarded
                    held.add("554 5.5.1 Error: no valid recipients");
                    sendHeld(out, held);
                    continue;
                }
                chunks.write(chunk);
                if (!upper.endsWith(" LAST")) {
                    reply(out, held, groupCommand, "250 2.0.0 " + chunk.length + " octets received");
                    continue;
                }
                if (!answerMessage(in, out, current, chunks.toString(StandardCharsets.ISO_8859_1), held)) {
                    return;
                }
            } else if (upper.equals("DATA")) {
                if (acceptedRecipients == 0) {
                    send(out, "554 5.5.1 no valid recipients");
                    continue;
                }
                send(out, "354 go on");
                StringBuilder content = new StringBuilder();
                while ((line = in.readLine()) != null && !line.equals(".")) {
                    dataReceived = true;
                    dataReceivedOverTls = tls;
                    content.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
                }
                transcript.append(" .");
                arrivedAhead = in.ready();
                if (!answerMessage(in, out, current, content.toString(), held)) {
                    return;
                }
            } else if (upper.equals("QUIT")) {
                // counted as closed before the client can see the 221 and open another connection
                counted.close();
                send(out, "221 bye");
                return;
            } else {
                if (upper.equals("RSET")) {
                    acceptedRecipients = 0;
                }
                send(out, "250 ok");
            }
        }
    }

    /**
     * After a whole message (DATA's final dot, the LAST chunk's bytes): this transaction's fault, else the message's
     * reply, sent with the replies still held for its group (BDAT's). Whether to go on serving the connection.
     */
    private boolean answerMessage(Lines in, OutputStream out, Fault current, String content, List<String> held)
            throws IOException {
        if (current == Fault.CLOSE_AFTER_DOT || current == Fault.SILENT_AFTER_DOT) {
            // the envelope is answered, the message is not
            sendHeld(out, held);
        }
        if (current == Fault.CLOSE_AFTER_DOT) {
            return false;
        }
        if (current == Fault.SILENT_AFTER_DOT) {
            // wait for the client to give up and close (bounded by the socket's read timeout)
            while (in.readLine() != null) {
                // ignore anything it still says
            }
            return false;
        }
        pause(current == Fault.SLOW_DOT_REPLY ? dotReplyDelayMillis : finalDotDelayMillis);
        finalDots.incrementAndGet();
        if (finalDotReply.startsWith("250")) {
            // counted before the reply, so a client that has it sees the count
            messagesAccepted.incrementAndGet();
            messageContents.add(content);
        }
        held.add(finalDotReply);
        sendHeld(out, held);
        return current != Fault.CLOSE_AFTER_DOT_REPLY;
    }

    private void sendHeld(OutputStream out, List<String> held) throws IOException {
        if (!held.isEmpty()) {
            send(out, String.join("\r\n", held));
            held.clear();
        }
    }

    /** Holds a pipelined group's reply until the group ends, else answers at once. */
    private void reply(OutputStream out, List<String> held, boolean hold, String reply) throws IOException {
        if (hold) {
            held.add(reply);
        } else {
            send(out, reply);
        }
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers every final dot held now and later at once ({@link #delayingFinalDot} and {@link Fault#SLOW_DOT_REPLY}). */
    public void releaseHeldReplies() {
        synchronized (held) {
            released = true;
            finalDotDelayMillis = 0;
            held.notifyAll();
        }
    }

    /** The one wait before a final dot's reply: {@code millis}, or until {@link #releaseHeldReplies}. */
    private void pause(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (held) {
            long remaining;
            while (!released && (remaining = deadline - System.currentTimeMillis()) > 0) {
                try {
                    held.wait(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Lines and counted bytes from one socket (BDAT's bytes are no lines), one char per byte. */
    private static final class Lines {
        private final InputStream in;

        Lines(Socket socket) throws IOException {
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** The next line without its CRLF (or bare LF), null at the end of the stream. */
        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        byte[] readExactly(int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new IOException("the client ended after " + bytes.length + " of " + n + " BDAT bytes");
            }
            return bytes;
        }

        boolean ready() throws IOException {
            return in.available() > 0;
        }
    }

    private void send(OutputStream out, String reply) throws IOException {
        for (String piece : segments.cut(reply + "\r\n")) {
            sleep(replyPauseMillis);
            out.write(piece.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
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
