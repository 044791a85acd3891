package org.jamestls.mtasts;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.apache.james.dnsservice.api.DNSService;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.3). The host is resolved through
 * James's DNSService, like MX hosts, and the socket is opened to that address; TLS then uses the host name for SNI
 * and for RFC 6125 name checking. Redirects are not followed, only 200 with {@code text/plain} is accepted, the
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
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final DNSService dns;
    private final SSLContext trust;
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
        this.dns = dns;
        this.trust = trust;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.totalTimeout = totalTimeout;
    }

    @Override
    public String fetch(String domain) throws MtaStsFetchException {
        String host = Domains.policyHost(domain);
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try (Socket tcp = connect(host, deadline)) {
            return exchange(tcp, host, deadline);
        } catch (SocketTimeoutException e) {
            throw new MtaStsFetchException(host + ": timed out (" + totalTimeout.toSeconds() + "s limit)", e);
        } catch (SSLException e) {
            throw new MtaStsFetchException(host + ": TLS failed: " + rootMessage(e), e);
        } catch (IOException e) {
            throw new MtaStsFetchException(host + ": " + rootMessage(e), e);
        } catch (MtaStsFetchException e) {
            throw new MtaStsFetchException(host + ": " + e.getMessage(), e.getCause());
        }
    }

    private Socket connect(String host, long deadline) throws IOException, MtaStsFetchException {
        List<InetAddress> addresses = resolve(host);
        IOException last = null;
        for (InetAddress address : addresses) {
            long left = Math.min(connectTimeout.toMillis(), (deadline - System.nanoTime()) / 1_000_000);
            if (left <= 0) {
                throw new SocketTimeoutException("time limit reached");
            }
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port), (int) left);
                return socket;
            } catch (IOException e) {
                socket.close();
                last = new IOException("cannot connect to " + address.getHostAddress() + ":" + port + ": "
                    + e.getMessage(), e);
            }
        }
        throw last;
    }

    private List<InetAddress> resolve(String host) throws MtaStsFetchException {
        Collection<InetAddress> found;
        try {
            found = dns.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new MtaStsFetchException("no address (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new MtaStsFetchException("address lookup failed: " + e.getMessage());
        }
        if (found == null || found.isEmpty()) {
            throw new MtaStsFetchException("no address");
        }
        return new ArrayList<>(found);
    }

    private String exchange(Socket tcp, String host, long deadline) throws IOException, MtaStsFetchException {
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(tcp, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        // "HTTPS" = RFC 2818/6125 host name check against the certificate's subjectAltNames
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setProtocols(PROTOCOLS);
        tls.setSSLParameters(parameters);
        DeadlineInputStream in = new DeadlineInputStream(tls.getInputStream(), tls, deadline);
        tls.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        tls.startHandshake();

        OutputStream out = tls.getOutputStream();
        out.write(("GET " + PATH + " HTTP/1.1\r\n"
            + "Host: " + host + "\r\n"
            + "User-Agent: james-tls-delivery\r\n"
            + "Accept: text/plain\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();

        HttpResponseReader reader = new HttpResponseReader(new BufferedInputStream(in));
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

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        String outer = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return outer.contains(message) ? outer : outer + " (" + message + ")";
    }

    @Override
    public String toString() {
        return "MtaStsFetcher[port=" + port + ", connect " + connectTimeout + ", total " + totalTimeout + "]";
    }
}
