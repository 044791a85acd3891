package org.jamestls.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Submits mail to an SMTP server (James's listener) over a raw socket: EHLO, MAIL, RCPT..., DATA.
 * <pre>
 * String id = submitter.mail().from("alice@sender.test").to("bob@tls.test").subject(s).send();
 * </pre>
 */
public final class SmtpSubmitter {

    private final String host;
    private final int port;
    private final TlsClient startTls;
    private final String[] login;

    public SmtpSubmitter(String host, int port) {
        this(host, port, null, null);
    }

    private SmtpSubmitter(String host, int port, TlsClient startTls, String[] login) {
        this.host = host;
        this.port = port;
        this.startTls = startTls;
        this.login = login;
    }

    /** The same submitter, but issuing STARTTLS (handshake as {@code client}) and EHLO again before MAIL. */
    public SmtpSubmitter withStartTls(TlsClient client) {
        return new SmtpSubmitter(host, port, client, login);
    }

    /** The same submitter, authenticating ({@code AUTH PLAIN}, after STARTTLS if it issues one) before MAIL. */
    public SmtpSubmitter withAuth(String user, String password) {
        return new SmtpSubmitter(host, port, startTls, new String[] {user, password});
    }

    /** {@code AUTH PLAIN} with the initial response (RFC 4616): authorization id empty, user, password. */
    public static String authPlain(String user, String password) {
        return "AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A subject unique within the run, e.g. "smoke-3f2a9c1e" (use it with PostfixReceivers#awaitMessage). */
    public static String uniqueSubject(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public Mail mail() {
        return new Mail();
    }

    /** Shorthand: one mail, returns its Message-ID. */
    public String send(String from, String to, String subject, String body) {
        return mail().from(from).to(to).subject(subject).body(body).send();
    }

    /** A mail being built. {@link #send()} returns the Message-ID header value (with angle brackets). */
    public final class Mail {
        private String from = "sender@sender.test";
        private final List<String> recipients = new ArrayList<>();
        private String subject = uniqueSubject("it");
        private String body = "Test message from the james-tls-delivery integration tests.\n";
        private String messageId = "<" + UUID.randomUUID() + "@it.jamestls.test>";
        private String helo = "submitter.it.test";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<String> mailParameters = new ArrayList<>();

        /** Envelope sender and From header; "" gives a null reverse path (MAIL FROM:&lt;&gt;). */
        public Mail from(String from) {
            this.from = from;
            return this;
        }

        /** Envelope recipients (also listed in the To header). */
        public Mail to(String... to) {
            recipients.addAll(List.of(to));
            return this;
        }

        public Mail subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Mail body(String body) {
            this.body = body;
            return this;
        }

        public Mail messageId(String messageId) {
            this.messageId = messageId;
            return this;
        }

        public Mail header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** A MAIL FROM parameter, e.g. "REQUIRETLS" or "BODY=8BITMIME", sent after the reverse path. */
        public Mail mailParameter(String parameter) {
            mailParameters.add(parameter);
            return this;
        }

        public Mail helo(String helo) {
            this.helo = helo;
            return this;
        }

        public String send() {
            if (recipients.isEmpty()) {
                throw new IllegalStateException("No recipient");
            }
            try (SmtpConnection c = SmtpConnection.open(host, port)) {
                c.expect(250, "EHLO " + helo);
                if (startTls != null) {
                    c.startTls(startTls);
                    c.expect(250, "EHLO " + helo);
                }
                if (login != null) {
                    c.expect(235, authPlain(login[0], login[1]));
                }
                c.expect(250, "MAIL FROM:<" + from + ">" + mailParameters.stream().map(p -> " " + p)
                    .collect(java.util.stream.Collectors.joining()));
                for (String r : recipients) {
                    c.expect(250, "RCPT TO:<" + r + ">");
                }
                c.expect(354, "DATA");
                c.sendRaw(message());
                c.expect(250, ".");
                c.command("QUIT");
                return messageId;
            } catch (IOException e) {
                throw new UncheckedIOException("Submission to " + host + ":" + port + " failed", e);
            }
        }

        private String message() {
            StringBuilder m = new StringBuilder();
            m.append("From: ").append(from.isEmpty() ? "<>" : from).append("\r\n");
            m.append("To: ").append(String.join(", ", recipients)).append("\r\n");
            m.append("Subject: ").append(subject).append("\r\n");
            m.append("Message-ID: ").append(messageId).append("\r\n");
            m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)
                .format(ZonedDateTime.now())).append("\r\n");
            m.append("MIME-Version: 1.0\r\n");
            m.append("Content-Type: text/plain; charset=UTF-8\r\n");
            headers.forEach((k, v) -> m.append(k).append(": ").append(v).append("\r\n"));
            m.append("\r\n");
            for (String line : body.replace("\r\n", "\n").split("\n", -1)) {
                m.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            return m.toString();
        }
    }
}
