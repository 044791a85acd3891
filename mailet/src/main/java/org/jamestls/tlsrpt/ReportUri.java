package org.jamestls.tlsrpt;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * One {@code rua} destination of a TLSRPT record (RFC 8460 §3): {@code mailto:} (RFC 6068, one address, any
 * query such as {@code ?subject=} ignored) or {@code https:} (a POST of the report). Immutable.
 */
public final class ReportUri {
    /** Longer URIs are not used: a TXT record is no place for them, and they end up in logs. */
    static final int MAX_LENGTH = 1024;

    public enum Scheme { MAILTO, HTTPS }

    private final Scheme scheme;
    private final URI uri;
    private final String text;

    private ReportUri(Scheme scheme, URI uri, String text) {
        this.scheme = scheme;
        this.uri = uri;
        this.text = text;
    }

    /** @throws IllegalArgumentException with the reason, for a URI that cannot be used */
    static ReportUri parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty URI");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("URI longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mailto")) {
            mailAddress(uri);
            return new ReportUri(Scheme.MAILTO, uri, text);
        }
        if (scheme.equals("https")) {
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("https URI without a host");
            }
            if (uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("https URI with user information");
            }
            return new ReportUri(Scheme.HTTPS, uri, text);
        }
        throw new IllegalArgumentException("unsupported scheme '" + scheme + "' (mailto and https only)");
    }

    private static MailAddress mailAddress(URI uri) {
        String to = uri.getRawSchemeSpecificPart();
        int query = to.indexOf('?');
        if (query >= 0) {
            to = to.substring(0, query);
        }
        String address = URLDecoder.decode(to.replace("+", "%2B"), StandardCharsets.UTF_8);
        if (address.contains(",")) {
            throw new IllegalArgumentException("mailto URI with more than one address");
        }
        try {
            MailAddress parsed = new MailAddress(address);
            if (parsed.isNullSender() || !parsed.getDomain().asString().contains(".")) {
                throw new IllegalArgumentException("mailto address without a domain: '" + address + "'");
            }
            return parsed;
        } catch (AddressException e) {
            throw new IllegalArgumentException("invalid mailto address '" + address + "': " + e.getMessage());
        }
    }

    public Scheme scheme() {
        return scheme;
    }

    public URI uri() {
        return uri;
    }

    /** The address of a {@code mailto:} URI. */
    public MailAddress mailAddress() {
        if (scheme != Scheme.MAILTO) {
            throw new IllegalStateException("not a mailto URI: " + text);
        }
        return mailAddress(uri);
    }

    /** The URI as published, the key under which its delivery is remembered. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReportUri && ((ReportUri) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
