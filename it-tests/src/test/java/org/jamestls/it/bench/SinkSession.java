package org.jamestls.it.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * One SMTP session of {@link SmtpSink}, speaking like a Postfix 3.7 smtpd with the extensions the benchmark needs:
 * <ul>
 *   <li>EHLO offers PIPELINING, SIZE, VRFY, STARTTLS (before TLS), ENHANCEDSTATUSCODES, 8BITMIME and CHUNKING;
 *       PIPELINING and CHUNKING can be left out ({@link SmtpSink.Options}).</li>
 *   <li>Replies are buffered and written when the client's input is used up (Postfix's rule), so a pipelined
 *       group is answered in one write; commands are read from one buffer, so nothing a client pipelined is
 *       dropped, the message body after the final dot included (post-dot pipelining).</li>
 *   <li>RFC 2920: input found waiting behind EHLO, HELO, DATA, VRFY or NOOP before their reply was sent is
 *       counted as improper pipelining; a pipelined command while PIPELINING is not offered is
 *       counted too. Plaintext waiting behind STARTTLS is discarded, as Postfix does (and counted).</li>
 *   <li>RFC 3030 BDAT: {@code BDAT n [LAST]} takes exactly n bytes (no dot-stuffing), also pipelined with MAIL and
 *       RCPT; the bytes are consumed even when the chunk is refused; DATA after BDAT in one transaction is 503.</li>
 *   <li>MAIL takes {@code SIZE=} (552 5.3.4 above the limit) and {@code BODY=7BIT|8BITMIME}; other parameters are
 *       555, as Postfix answers unsupported ones. No command is needed between two transactions (no RSET).</li>
 * </ul>
 * Every message is read to its end before the reply; the sink then records its id, the time, TLS or not and DATA or
 * BDAT. When a {@link DelayProxy} in the same JVM carries the session, each MAIL reads the connection's round-trip
 * count so far: the first gives the setup round trips, the difference between two the round trips of a mail on a
 * reused session.
 */
final class SinkSession {

    private static final int MAX_COMMANDS = 1_000_000;
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_MESSAGE_LINES = 1_000_000;
    private static final int READ_TIMEOUT_MS = 120_000;
    /** RFC 2920 section 3.1: commands that end a group (plus STARTTLS, RFC 3207; HELO like EHLO). */
    private static final Set<String> LAST_IN_GROUP = Set.of("EHLO", "HELO", "DATA", "VRFY", "EXPN", "TURN", "NOOP");

    private final SmtpSink sink;
    private final String name;
    private final SmtpSink.Options options;
    private Socket socket;
    private LineReader in;
    private OutputStream out;
    private int unflushedReplies;
    private boolean messageJustEnded;
    private boolean secure;
    private InetSocketAddress peer;

    // transaction state
    private boolean sender;
    private int recipients;
    private MessageCheck chunked;
    private boolean chunkFailed;
    private long previousMailRoundTrips = -1;

    SinkSession(SmtpSink sink, Socket socket, String name) {
        this.sink = sink;
        this.socket = socket;
        this.name = name;
        this.options = sink.options();
    }

    void serve() throws IOException {
        sink.counters().connections.incrementAndGet();
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        attach(socket);
        reply("220 " + name + " ESMTP benchmark sink");
        for (int i = 0; i < MAX_COMMANDS; i++) {
            if (in.pendingInput() == 0) {
                flush();
            } else if (unflushedReplies > 0) {
                // the client sent this before it could see the replies to its earlier commands
                sink.counters().pipelinedCommands.incrementAndGet();
                if (messageJustEnded) {
                    sink.counters().postDotPipelining.incrementAndGet();
                }
                if (!options.pipelining) {
                    sink.counters().unadvertisedPipelining.incrementAndGet();
                }
            }
            messageJustEnded = false;
            String line = in.readLine();
            if (line == null) {
                return;
            }
            int space = line.indexOf(' ');
            String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String argument = space < 0 ? "" : line.substring(space + 1);
            if (LAST_IN_GROUP.contains(verb) && in.pendingInput() > 0) {
                sink.counters().improperPipelining.incrementAndGet();
                sink.note("input waiting behind " + verb + " from " + peer);
            }
            if (!command(verb, argument, line)) {
                return;
            }
        }
    }

    /** One command; false when the session ends. */
    private boolean command(String verb, String argument, String line) throws IOException {
        switch (verb) {
            case "EHLO":
                resetTransaction();
                reply("250-" + name + "\r\n" + (options.pipelining ? "250-PIPELINING\r\n" : "")
                    + "250-SIZE " + options.sizeLimit + "\r\n250-VRFY\r\n" + (secure ? "" : "250-STARTTLS\r\n")
                    + "250-ENHANCEDSTATUSCODES\r\n" + (options.chunking ? "250-8BITMIME\r\n250 CHUNKING" : "250 8BITMIME"));
                return true;
            case "HELO":
                resetTransaction();
                reply("250 " + name);
                return true;
            case "STARTTLS":
                startTls();
                return true;
            case "MAIL":
                mail(argument);
                return true;
            case "RCPT":
                rcpt(argument);
                return true;
            case "DATA":
                data();
                return true;
            case "BDAT":
                if (!options.chunking) {
                    error("502 5.5.2 Error: command not recognized", line);
                    return true;
                }
                bdat(argument, line);
                return true;
            case "RSET":
                resetTransaction();
                reply("250 2.0.0 Ok");
                return true;
            case "NOOP":
                reply("250 2.0.0 Ok");
                return true;
            case "VRFY":
                reply("252 2.0.0 " + argument);
                return true;
            case "QUIT":
                reply("221 2.0.0 Bye");
                flush();
                return false;
            default:
                error("502 5.5.2 Error: command not recognized", line);
                return true;
        }
    }

    private void startTls() throws IOException {
        if (secure) {
            error("554 5.5.1 Error: TLS already active", "STARTTLS");
            return;
        }
        if (in.pendingInput() > 0) {
            // sent before our 220: Postfix purges such plaintext (CVE-2011-0411); the new reader drops it
            sink.counters().plaintextAfterStartTls.incrementAndGet();
            sink.note("plaintext pipelined behind STARTTLS from " + peer + ", discarded");
        }
        reply("220 2.0.0 Ready to start TLS");
        flush();
        socket = sink.handshake(socket);
        attach(socket);
        secure = true;
        resetTransaction();
    }

    private void mail(String argument) throws IOException {
        if (sender) {
            error("503 5.5.1 Error: nested MAIL command", "MAIL " + argument);
            return;
        }
        String parameters = parameters(argument, "FROM:");
        if (parameters == null) {
            error("501 5.5.4 Syntax: MAIL FROM:<address>", "MAIL " + argument);
            return;
        }
        for (String p : parameters.split(" ")) {
            if (p.isEmpty()) {
                continue;
            }
            String key = p.contains("=") ? p.substring(0, p.indexOf('=')).toUpperCase(Locale.ROOT) : p.toUpperCase(Locale.ROOT);
            String value = p.contains("=") ? p.substring(p.indexOf('=') + 1) : "";
            if (key.equals("SIZE") && value.matches("\\d{1,18}")) {
                if (Long.parseLong(value) > options.sizeLimit) {
                    error("552 5.3.4 Message size exceeds fixed limit", "MAIL " + argument);
                    return;
                }
            } else if (!(key.equals("BODY") && (value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME")))) {
                error("555 5.5.4 Unsupported option: " + p, "MAIL " + argument);
                return;
            }
        }
        countRoundTripsAtMail();
        sender = true;
        reply("250 2.1.0 Ok");
    }

    private void rcpt(String argument) throws IOException {
        if (!sender) {
            error("503 5.5.1 Error: need MAIL command", "RCPT " + argument);
            return;
        }
        String parameters = parameters(argument, "TO:");
        if (parameters == null) {
            error("501 5.5.4 Syntax: RCPT TO:<address>", "RCPT " + argument);
            return;
        }
        if (!parameters.isBlank()) {
            error("555 5.5.4 Unsupported option: " + parameters.trim(), "RCPT " + argument);
            return;
        }
        recipients++;
        reply("250 2.1.5 Ok");
    }

    private void data() throws IOException {
        if (chunked != null) {
            error("503 5.5.1 Error: DATA after BDAT", "DATA");
            return;
        }
        if (!sender) {
            error("503 5.5.1 Error: need MAIL command", "DATA");
            return;
        }
        if (recipients == 0) {
            error("554 5.5.1 Error: no valid recipients", "DATA");
            return;
        }
        reply("354 End data with <CR><LF>.<CR><LF>");
        flush();
        MessageCheck check = new MessageCheck(MAX_LINE);
        for (int i = 0; i < MAX_MESSAGE_LINES; i++) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed during DATA");
            }
            if (line.equals(".")) {
                finishMessage(check, false);
                return;
            }
            check.line(line.startsWith(".") ? line.substring(1) : line);
        }
        throw new IOException("message longer than " + MAX_MESSAGE_LINES + " lines");
    }

    private void bdat(String argument, String line) throws IOException {
        String[] words = argument.trim().split(" +");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        if (words.length < 1 || words.length > 2 || !words[0].matches("\\d{1,18}") || (words.length == 2 && !last)) {
            // the chunk's length is unknown: nothing sensible follows
            error("501 5.5.4 Syntax: BDAT count [LAST]", line);
            throw new IOException("malformed BDAT from " + peer + ": " + line);
        }
        long size = Long.parseLong(words[0]);
        boolean usable = sender && recipients > 0 && !chunkFailed;
        MessageCheck check = chunked == null ? new MessageCheck(MAX_LINE) : chunked;
        in.readExactly(size, usable ? check::bytes : (b, o, n) -> { });
        if (!sender) {
            error("503 5.5.1 Error: need MAIL command", line);
            return;
        }
        if (recipients == 0) {
            error("554 5.5.1 Error: no valid recipients", line);
            chunkFailed = true;
            if (last) {
                resetTransaction();
            }
            return;
        }
        chunked = check;
        if (check.size() > options.sizeLimit) {
            chunkFailed = true;
        }
        if (!last) {
            reply("250 2.0.0 Ok: " + size + " bytes");
            return;
        }
        if (chunkFailed) {
            error("552 5.3.4 Message size exceeds fixed limit", line);
            resetTransaction();
            return;
        }
        check.finish();
        finishMessage(check, true);
    }

    private void finishMessage(MessageCheck check, boolean bdat) throws IOException {
        long micros = SmtpSink.micros(Instant.now());
        SmtpSink.Counters c = sink.counters();
        c.messages.incrementAndGet();
        c.bytes.addAndGet(check.size());
        (bdat ? c.bdatMessages : c.dataMessages).incrementAndGet();
        String id = check.completeId();
        if (id == null) {
            c.truncated.incrementAndGet();
        } else {
            c.records.add(id + " " + micros + " " + (secure ? "tls" : "plain") + " " + (bdat ? "bdat" : "data"));
        }
        resetTransaction();
        reply("250 2.0.0 Ok: queued");
        messageJustEnded = true;
    }

    /** Round trips of the proxied connection at each MAIL: setup before the first, per mail between two. */
    private void countRoundTripsAtMail() {
        long now = sink.roundTripsOf(peer);
        if (now < 0) {
            return;
        }
        SmtpSink.Counters c = sink.counters();
        if (previousMailRoundTrips < 0) {
            c.setupRoundTrips.addAndGet(now);
            c.sessionsWithMail.incrementAndGet();
        } else {
            c.reusedRoundTrips.addAndGet(now - previousMailRoundTrips);
            c.reusedTransactions.incrementAndGet();
        }
        previousMailRoundTrips = now;
    }

    /** The part after {@code FROM:<...>}, or null when the path is malformed. */
    private static String parameters(String argument, String prefix) {
        if (!argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = argument.substring(prefix.length()).trim();
        int close = rest.indexOf('>');
        if (!rest.startsWith("<") || close < 0) {
            return null;
        }
        return rest.substring(close + 1).trim();
    }

    private void resetTransaction() {
        sender = false;
        recipients = 0;
        chunked = null;
        chunkFailed = false;
    }

    private void error(String reply, String command) throws IOException {
        sink.counters().errorReplies.incrementAndGet();
        sink.note("'" + command + "' from " + peer + " -> " + reply);
        reply(reply);
    }

    private void attach(Socket s) throws IOException {
        in = new LineReader(s.getInputStream(), MAX_LINE);
        out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
    }

    private void reply(String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        unflushedReplies++;
    }

    private void flush() throws IOException {
        out.flush();
        unflushedReplies = 0;
    }
}
