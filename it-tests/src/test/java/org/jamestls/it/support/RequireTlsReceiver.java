package org.jamestls.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A SCRIPTED SMTP receiver for REQUIRETLS (RFC 8689), not a real MTA: Debian's Postfix 3.7 does not offer
 * REQUIRETLS (Postfix 3.11 does), so the tests need a stand-in for a receiver that does. It offers STARTTLS with
 * the given server context (e.g. {@link TlsServerContext#validReceiver}) and, only on the TLS session after it,
 * {@code REQUIRETLS}; built with {@link #withoutRequireTls} it never offers REQUIRETLS, like Postfix 3.7. A
 * {@code REQUIRETLS} MAIL FROM parameter it did not offer is refused with {@code 555 5.5.4}, as RFC 5321 says for
 * unknown parameters.
 *
 * <p>It records each completed transaction ({@link Transaction}: MAIL FROM address and parameters, recipients,
 * whether it ran under TLS and with which protocol, the message data) and accepts every recipient. Besides EHLO,
 * HELO, STARTTLS, MAIL, RCPT, DATA, RSET, NOOP and QUIT it answers 500. Bounded: {@value #MAX_SESSIONS} sessions at
 * once (more get 421), 60 s read timeout, messages up to {@value #MAX_MESSAGE_CHARS} characters (larger: 552),
 * the last {@value #MAX_RECORDED} transactions kept.
 */
public final class RequireTlsReceiver implements AutoCloseable {
    static final int MAX_SESSIONS = 32;
    static final int MAX_MESSAGE_CHARS = 10_000_000;
    static final int MAX_RECORDED = 10_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final int MAX_COMMANDS = 10_000;

    /** One transaction that ended with the receiver's 250 after the final dot. */
    public static final class Transaction {
        public final String mailFrom;
        public final List<String> mailParameters;
        public final List<String> recipients;
        public final boolean tls;
        /** The negotiated protocol, e.g. TLSv1.3; empty in plaintext. */
        public final String tlsProtocol;
        public final String data;

        Transaction(String mailFrom, List<String> mailParameters, List<String> recipients, boolean tls,
                    String tlsProtocol, String data) {
            this.mailFrom = mailFrom;
            this.mailParameters = List.copyOf(mailParameters);
            this.recipients = List.copyOf(recipients);
            this.tls = tls;
            this.tlsProtocol = tlsProtocol;
            this.data = data;
        }

        /** Whether MAIL FROM carried the parameter (name compared case-insensitively, value ignored). */
        public boolean hasParameter(String name) {
            return carries(mailParameters, name);
        }

        @Override
        public String toString() {
            return "MAIL FROM:<" + mailFrom + "> " + String.join(" ", mailParameters) + " RCPT " + recipients
                + (tls ? " over " + tlsProtocol : " in plaintext") + ", " + data.length() + " chars";
        }
    }

    private final String name;
    private final boolean offersRequireTls;
    private final SSLContext tlsContext;
    private final ServerSocket server;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private final List<Transaction> transactions = new ArrayList<>();
    private final Thread acceptor;

    private RequireTlsReceiver(String name, String address, int port, SSLContext tlsContext, boolean offersRequireTls)
        throws IOException {
        this.name = name;
        this.tlsContext = tlsContext;
        this.offersRequireTls = offersRequireTls;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        server.setSoTimeout(200);
        acceptor = new Thread(this::acceptUntilClosed, "requiretls-receiver-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listening on {@code address:port} (port 0: any free one), offering STARTTLS and, after it, REQUIRETLS. */
    public static RequireTlsReceiver withRequireTls(String name, String address, int port, SSLContext tlsContext)
        throws IOException {
        return new RequireTlsReceiver(name, address, port, tlsContext, true);
    }

    /** The same, but never offering REQUIRETLS (STARTTLS only, like Postfix 3.7). */
    public static RequireTlsReceiver withoutRequireTls(String name, String address, int port, SSLContext tlsContext)
        throws IOException {
        return new RequireTlsReceiver(name, address, port, tlsContext, false);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every recorded transaction, oldest first. */
    public synchronized List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    /** The transactions naming {@code recipient} (case-insensitive), waiting until there are {@code count} (bounded). */
    public List<Transaction> awaitTransactionsFor(String recipient, int count, Duration timeout) {
        AtomicReference<List<Transaction>> found = new AtomicReference<>(List.of());
        boolean ok = Processes.await(timeout, () -> {
            found.set(transactions().stream()
                .filter(t -> t.recipients.stream().anyMatch(r -> r.equalsIgnoreCase(recipient)))
                .collect(Collectors.toList()));
            return found.get().size() >= count;
        });
        if (!ok) {
            throw new AssertionError(name + " got " + found.get().size() + " transaction(s) for " + recipient
                + " within " + timeout + ", expected " + count + "; all: " + transactions());
        }
        return found.get();
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (!sessions.tryAcquire()) {
                    try (client) {
                        client.getOutputStream().write("421 4.3.2 too many sessions\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    continue;
                }
                Thread session = new Thread(() -> {
                    try (Socket socket = client) {
                        serve(socket);
                    } catch (IOException endOfSession) {
                        // the client went away or timed out: nothing to record
                    } finally {
                        sessions.release();
                    }
                }, "requiretls-receiver-" + name + "-session");
                session.setDaemon(true);
                session.start();
            } catch (SocketTimeoutException idle) {
                // check whether we were closed
            } catch (IOException e) {
                if (!server.isClosed()) {
                    throw new IllegalStateException(name + " accept failed", e);
                }
            }
        }
    }

    /** One SMTP session, from greeting to QUIT or disconnection. */
    private void serve(Socket plain) throws IOException {
        plain.setSoTimeout(READ_TIMEOUT_MS);
        Socket socket = plain;
        BufferedReader in = reader(socket);
        OutputStream out = socket.getOutputStream();
        SSLSocket tls = null;
        String mailFrom = null;
        List<String> parameters = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        reply(out, "220 " + name + " ESMTP scripted REQUIRETLS test receiver");
        for (int i = 0; i < MAX_COMMANDS; i++) {
            String line = in.readLine();
            if (line == null) {
                return;
            }
            String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO":
                    reply(out, ehlo(tls != null));
                    mailFrom = null;
                    break;
                case "HELO":
                    reply(out, "250 " + name);
                    mailFrom = null;
                    break;
                case "STARTTLS":
                    if (tls != null) {
                        reply(out, "503 5.5.1 TLS already active");
                        break;
                    }
                    reply(out, "220 2.0.0 Ready to start TLS");
                    tls = (SSLSocket) tlsContext.getSocketFactory().createSocket(socket, null, false);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    socket = tls;
                    in = reader(socket);
                    out = socket.getOutputStream();
                    mailFrom = null; // RFC 3207: forget everything learnt before TLS
                    break;
                case "MAIL":
                    MailFrom parsed = MailFrom.parse(line);
                    if (parsed == null) {
                        reply(out, "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]");
                    } else if (parsed.has("REQUIRETLS") && !(offersRequireTls && tls != null)) {
                        reply(out, "555 5.5.4 REQUIRETLS not offered on this session");
                    } else {
                        mailFrom = parsed.address;
                        parameters = parsed.parameters;
                        recipients = new ArrayList<>();
                        reply(out, "250 2.1.0 Ok");
                    }
                    break;
                case "RCPT":
                    if (mailFrom == null) {
                        reply(out, "503 5.5.1 MAIL first");
                    } else {
                        recipients.add(line.substring(line.indexOf('<') + 1, line.lastIndexOf('>')));
                        reply(out, "250 2.1.5 Ok");
                    }
                    break;
                case "DATA":
                    if (mailFrom == null || recipients.isEmpty()) {
                        reply(out, "503 5.5.1 MAIL and RCPT first");
                        break;
                    }
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String data = readData(in);
                    if (data == null) {
                        reply(out, "552 5.3.4 Message too big for this test receiver");
                    } else {
                        record(new Transaction(mailFrom, parameters, recipients, tls != null,
                            tls == null ? "" : tls.getSession().getProtocol(), data));
                        reply(out, "250 2.0.0 Ok: queued");
                    }
                    mailFrom = null;
                    break;
                case "RSET":
                    mailFrom = null;
                    reply(out, "250 2.0.0 Ok");
                    break;
                case "NOOP":
                    reply(out, "250 2.0.0 Ok");
                    break;
                case "QUIT":
                    reply(out, "221 2.0.0 Bye");
                    return;
                default:
                    reply(out, "500 5.5.2 Command not recognized by this test receiver");
            }
        }
    }

    private String ehlo(boolean underTls) {
        List<String> keywords = new ArrayList<>(List.of(name, "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 52428800"));
        if (!underTls) {
            keywords.add("STARTTLS");
        } else if (offersRequireTls) {
            keywords.add("REQUIRETLS");
        }
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < keywords.size(); i++) {
            reply.append(i == 0 ? "" : "\r\n").append("250").append(i == keywords.size() - 1 ? ' ' : '-')
                .append(keywords.get(i));
        }
        return reply.toString();
    }

    /** The message up to the final dot, dot-unstuffed; null when it was larger than {@link #MAX_MESSAGE_CHARS}. */
    private static String readData(BufferedReader in) throws IOException {
        StringBuilder data = new StringBuilder();
        boolean tooBig = false;
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed in DATA");
            }
            if (line.equals(".")) {
                return tooBig ? null : data.toString();
            }
            if (!tooBig) {
                data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
                tooBig = data.length() > MAX_MESSAGE_CHARS;
            }
        }
    }

    private synchronized void record(Transaction transaction) {
        if (transactions.size() == MAX_RECORDED) {
            transactions.remove(0);
        }
        transactions.add(transaction);
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        // ISO-8859-1 keeps every byte; the client must not pipeline past STARTTLS, so no TLS byte is buffered here
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Whether {@code parameters} name {@code name} (case-insensitive; values ignored). */
    private static boolean carries(List<String> parameters, String name) {
        return parameters.stream().anyMatch(p -> (p.indexOf('=') > 0 ? p.substring(0, p.indexOf('=')) : p)
            .equalsIgnoreCase(name));
    }

    /** {@code MAIL FROM:<address> PARAM[=value] ...}, split. */
    private static final class MailFrom {
        final String address;
        final List<String> parameters;

        private MailFrom(String address, List<String> parameters) {
            this.address = address;
            this.parameters = parameters;
        }

        static MailFrom parse(String line) {
            int open = line.indexOf('<');
            int close = line.indexOf('>', open);
            if (!line.toUpperCase(Locale.ROOT).startsWith("MAIL FROM:") || open < 0 || close < 0) {
                return null;
            }
            String rest = line.substring(close + 1).trim();
            return new MailFrom(line.substring(open + 1, close),
                rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+")));
        }

        boolean has(String name) {
            return carries(parameters, name);
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        server.close();
        acceptor.join(2000);
    }
}
