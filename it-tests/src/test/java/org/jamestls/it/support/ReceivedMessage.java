package org.jamestls.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One message as a Postfix receiver stored it (one Maildir file per recipient), parsed for assertions.
 * The Received header that matters is the topmost one: the one Postfix added when it accepted the mail,
 * e.g.
 * <pre>
 * Received: from relay.example.org (unknown [127.0.0.1])
 *     (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...)
 *     by rx-tls-1.receivers.test (Postfix) with ESMTPS id 77B8520C1EF; ...
 * </pre>
 */
public final class ReceivedMessage {

    private static final Pattern FROM = Pattern.compile("^from (\\S+) \\((\\S+) \\[([0-9A-Fa-f.:]+)\\]\\)");
    private static final Pattern TLS = Pattern.compile("\\(using (\\S+) with cipher (\\S+)");
    private static final Pattern BY = Pattern.compile("\\bby (\\S+) \\(Postfix\\)");
    private static final Pattern WITH = Pattern.compile("\\bwith (\\S+) id ");
    private static final Pattern CLIENT_CERT = Pattern.compile("\\(Client CN \"([^\"]*)\", Issuer \"([^\"]*)\"");

    private final Path file;
    private final String raw;
    private final List<Map.Entry<String, String>> headers;
    private final String body;
    private final Map<String, String> listenerByHostname;

    ReceivedMessage(Path file, String raw, Map<String, String> listenerByHostname) {
        this.file = file;
        this.raw = raw;
        this.listenerByHostname = listenerByHostname;
        String normalized = raw.replace("\r\n", "\n");
        int split = normalized.indexOf("\n\n");
        String head = split < 0 ? normalized : normalized.substring(0, split);
        this.body = split < 0 ? "" : normalized.substring(split + 2);
        this.headers = Collections.unmodifiableList(parseHeaders(head));
    }

    private static List<Map.Entry<String, String>> parseHeaders(String head) {
        List<Map.Entry<String, String>> result = new ArrayList<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : head.split("\n")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.trim());
                continue;
            }
            if (name != null) {
                result.add(Map.entry(name, value.toString()));
            }
            int colon = line.indexOf(':');
            name = colon > 0 ? line.substring(0, colon).trim() : null;
            value = new StringBuilder(colon > 0 ? line.substring(colon + 1).trim() : "");
        }
        if (name != null) {
            result.add(Map.entry(name, value.toString()));
        }
        return result;
    }

    /** The Maildir file. */
    public Path file() {
        return file;
    }

    /** The whole message as stored (headers added by Postfix included). */
    public String raw() {
        return raw;
    }

    public String body() {
        return body;
    }

    /** Unfolded headers in order. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    public List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).forEach(h -> values.add(h.getValue()));
        return values;
    }

    public String subject() {
        return header("Subject").orElse("");
    }

    public String messageId() {
        return header("Message-ID").orElse("");
    }

    /** The envelope recipient this copy was delivered to (Postfix's Delivered-To). */
    public String recipient() {
        return header("Delivered-To").orElse("").toLowerCase(Locale.ROOT);
    }

    /** The envelope sender (Postfix's Return-Path), without angle brackets; empty for a null sender. */
    public String envelopeSender() {
        return header("Return-Path").orElse("").replace("<", "").replace(">", "").trim();
    }

    /** The Received header the receiving Postfix added (the topmost one), unfolded. */
    public String receivedHeader() {
        return header("Received").orElseThrow(() -> new IllegalStateException("No Received header in " + file));
    }

    /** The receiving listener's myhostname, from "by HOSTNAME (Postfix)". */
    public String receiverHostname() {
        return group(BY, 1).orElse("");
    }

    /** The receiving listener's name (e.g. "rx-tls-1"), or its hostname if unknown. */
    public String receiverName() {
        return listenerByHostname.getOrDefault(receiverHostname(), receiverHostname());
    }

    /** Whether the sending client used TLS (Postfix's smtpd_tls_received_header "(using ... with cipher ...)"). */
    public boolean tlsUsed() {
        return TLS.matcher(receivedHeader()).find();
    }

    /** E.g. "TLSv1.3". */
    public Optional<String> tlsProtocol() {
        return group(TLS, 1);
    }

    /** E.g. "TLS_AES_256_GCM_SHA384" (OpenSSL naming for TLS 1.2 suites, e.g. "ECDHE-RSA-AES256-GCM-SHA384"). */
    public Optional<String> tlsCipher() {
        return group(TLS, 2);
    }

    /**
     * CN of the certificate the client presented, from Postfix's
     * {@code (Client CN "relay.example.org", Issuer "JamesTls Test CA" (verified OK))}; empty if none was asked
     * for or presented ("(No client certificate requested)", "(Client did not present a certificate)").
     */
    public Optional<String> clientCertificateCn() {
        return group(CLIENT_CERT, 1);
    }

    /** Issuer CN of the client certificate, from the same Received clause. */
    public Optional<String> clientCertificateIssuer() {
        return group(CLIENT_CERT, 2);
    }

    /** The HELO/EHLO name the client sent, from "from HELO (host [IP])". */
    public String heloName() {
        return group(FROM, 1).orElse("");
    }

    /** The client's IP address as Postfix saw it. */
    public String clientIp() {
        return group(FROM, 3).orElse("");
    }

    /** Postfix's protocol word: ESMTP, ESMTPS (TLS), ESMTPA, ESMTPSA... */
    public String protocol() {
        return group(WITH, 1).orElse("");
    }

    /** True if Subject or Message-ID contains {@code fragment}. */
    public boolean matches(String fragment) {
        return subject().contains(fragment) || messageId().contains(fragment);
    }

    private Optional<String> group(Pattern p, int group) {
        Matcher m = p.matcher(receivedHeader());
        return m.find() ? Optional.of(m.group(group)) : Optional.empty();
    }

    @Override
    public String toString() {
        return "ReceivedMessage{to=" + recipient() + ", subject=" + subject() + ", receiver=" + receiverName()
            + ", tls=" + tlsProtocol().orElse("none") + ", from=" + heloName() + "[" + clientIp() + "]}";
    }
}
