package org.jamestls.mtasts;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.james.dnsservice.api.DNSService;
import org.jamestls.http.HttpException;
import org.jamestls.http.HttpResponseReader;
import org.jamestls.http.HttpsConnector;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.3) through {@link HttpsConnector}:
 * the host is resolved through James's DNSService, like MX hosts, and TLS uses the host name for SNI and for
 * RFC 6125 name checking. Redirects are not followed, only 200 with {@code text/plain} is accepted, the
 * body is capped at 64 KiB, and connecting and the whole exchange are each bounded in time.
 */
public final class MtaStsFetcher implements PolicyFetcher {
    public static final String PATH = "/.well-known/mta-sts.txt";
    /** RFC 8461 §3.3 suggests a limit of 64 KiB on the policy. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** RFC 8461 §3.3 suggests at most 60 seconds for the fetch. */
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(60);
    public static final int HTTPS_PORT = 443;

    private final HttpsConnector connector;
    private final int port;
    private final Duration connectTimeout;
    private final Duration totalTimeout;

    /**
     * @param trust a context whose trust managers verify the server (see {@link org.jamestls.tls.TrustContexts});
     *              host name checking is added here
     */
    public MtaStsFetcher(DNSService dns, SSLContext trust) {
        this(dns, trust, HTTPS_PORT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT);
    }

    /** @param port 443 in production; another port only for tests */
    public MtaStsFetcher(DNSService dns, SSLContext trust, int port, Duration connectTimeout, Duration totalTimeout) {
        this.connector = new HttpsConnector(dns, trust, connectTimeout);
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.totalTimeout = totalTimeout;
    }

    @Override
    public String fetch(String domain) throws MtaStsFetchException {
        String host = Domains.policyHost(domain);
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try (HttpsConnector.Connection connection = connector.open(host, port, deadline)) {
            return exchange(connection, host);
        } catch (SocketTimeoutException e) {
            throw new MtaStsFetchException(host + ": timed out (" + totalTimeout.toSeconds() + "s limit)", e);
        } catch (SSLException e) {
            throw new MtaStsFetchException(host + ": TLS failed: " + HttpsConnector.rootMessage(e), e);
        } catch (IOException e) {
            throw new MtaStsFetchException(host + ": " + HttpsConnector.rootMessage(e), e);
        } catch (HttpException | MtaStsFetchException e) {
            throw new MtaStsFetchException(host + ": " + e.getMessage(), e.getCause());
        }
    }

    private String exchange(HttpsConnector.Connection connection, String host) throws IOException, HttpException,
            MtaStsFetchException {
        OutputStream out = connection.socket().getOutputStream();
        out.write(("GET " + PATH + " HTTP/1.1\r\n"
            + "Host: " + host + "\r\n"
            + "User-Agent: james-tls-delivery\r\n"
            + "Accept: text/plain\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();

        HttpResponseReader reader = new HttpResponseReader(new BufferedInputStream(connection.input()));
        HttpResponseReader.Head head = reader.readHead();
        if (head.status >= 300 && head.status < 400) {
            String location = head.header("location");
            throw new MtaStsFetchException("HTTP " + head.status + " redirect refused"
                + (location == null ? "" : " (to " + location + ")"));
        }
        if (head.status != 200) {
            throw new MtaStsFetchException("HTTP " + head.status);
        }
        String contentType = head.header("content-type");
        if (contentType == null || !mediaType(contentType).equals("text/plain")) {
            throw new MtaStsFetchException("Content-Type is " + (contentType == null ? "missing" : "'" + contentType + "'")
                + ", not text/plain");
        }
        String contentEncoding = head.header("content-encoding");
        if (contentEncoding != null && !contentEncoding.equalsIgnoreCase("identity")) {
            throw new MtaStsFetchException("unsupported Content-Encoding '" + contentEncoding + "'");
        }
        byte[] body = reader.readBody(head, MAX_BODY_BYTES);
        return new String(body, StandardCharsets.UTF_8);
    }

    /** "text/plain; charset=utf-8" -> "text/plain". */
    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "MtaStsFetcher[port=" + port + ", connect " + connectTimeout + ", total " + totalTimeout + "]";
    }
}
