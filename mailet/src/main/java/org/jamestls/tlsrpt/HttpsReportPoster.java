package org.jamestls.tlsrpt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.james.dnsservice.api.DNSService;
import org.jamestls.http.HttpException;
import org.jamestls.http.HttpResponseReader;
import org.jamestls.http.HttpsConnector;

/**
 * POSTs a gzipped report to an {@code https:} rua (RFC 8460 §5.4) with {@code Content-Type:
 * application/tlsrpt+gzip}, through the same {@link HttpsConnector} as the MTA-STS policy fetch: host resolved by
 * James's DNSService, certificate and host name checked against the given trust, 10 s to connect and 60 s for
 * the whole exchange, no redirects, only the status line and headers of the answer read (each line at most 8 KiB).
 * A 2xx answer is success; anything else is a failure the sender retries. Reports over
 * {@value #MAX_REPORT_BYTES} bytes are not sent (a common receiver limit is 10 MB, §5.2).
 */
public final class HttpsReportPoster {
    public static final int MAX_REPORT_BYTES = 10 * 1000 * 1000;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(60);

    private final HttpsConnector connector;
    private final Duration totalTimeout;

    /** @param trust verifying context (JDK trust store in production, {@link org.jamestls.tls.TrustContexts}) */
    public HttpsReportPoster(DNSService dns, SSLContext trust) {
        this(dns, trust, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT);
    }

    public HttpsReportPoster(DNSService dns, SSLContext trust, Duration connectTimeout, Duration totalTimeout) {
        this.connector = new HttpsConnector(dns, trust, connectTimeout);
        this.totalTimeout = totalTimeout;
    }

    public void post(URI endpoint, byte[] gzippedReport) throws ReportDeliveryException {
        if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new ReportDeliveryException(endpoint + ": not an https URI with a host");
        }
        if (gzippedReport.length > MAX_REPORT_BYTES) {
            throw new ReportDeliveryException(endpoint + ": report of " + gzippedReport.length + " bytes exceeds "
                + MAX_REPORT_BYTES);
        }
        String host = endpoint.getHost();
        int port = endpoint.getPort() < 0 ? 443 : endpoint.getPort();
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try (HttpsConnector.Connection connection = connector.open(host, port, deadline)) {
            OutputStream out = connection.socket().getOutputStream();
            out.write(requestHead(endpoint, host, port, gzippedReport.length).getBytes(StandardCharsets.US_ASCII));
            out.write(gzippedReport);
            out.flush();
            HttpResponseReader.Head head = new HttpResponseReader(new BufferedInputStream(connection.input())).readHead();
            if (head.status < 200 || head.status >= 300) {
                throw new ReportDeliveryException(endpoint + ": HTTP " + head.status);
            }
        } catch (SocketTimeoutException e) {
            throw new ReportDeliveryException(endpoint + ": timed out (" + totalTimeout.toSeconds() + "s limit)", e);
        } catch (SSLException e) {
            throw new ReportDeliveryException(endpoint + ": TLS failed: " + HttpsConnector.rootMessage(e), e);
        } catch (IOException e) {
            throw new ReportDeliveryException(endpoint + ": " + HttpsConnector.rootMessage(e), e);
        } catch (HttpException e) {
            throw new ReportDeliveryException(endpoint + ": " + e.getMessage(), e);
        }
    }

    private static String requestHead(URI endpoint, String host, int port, int length) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        if (endpoint.getRawQuery() != null) {
            path += "?" + endpoint.getRawQuery();
        }
        return "POST " + path + " HTTP/1.1\r\n"
            + "Host: " + (port == 443 ? host : host + ":" + port) + "\r\n"
            + "User-Agent: james-tls-delivery\r\n"
            + "Content-Type: " + ReportMessage.MEDIA_TYPE + "\r\n"
            + "Content-Length: " + length + "\r\n"
            + "Connection: close\r\n\r\n";
    }
}
