package org.jamestls.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.apache.james.dnsservice.api.DNSService;

/**
 * Opens a verified TLS connection to an HTTPS host for one exchange, all of it under one deadline: the host is
 * resolved through James's DNSService (like MX hosts), each address is tried in turn with the connect timeout
 * (never past the deadline), and TLS uses the host name for SNI and RFC 2818/6125 name checking against the trust
 * context's authorities. The connection's input is a {@link DeadlineInputStream}, so a server trickling bytes
 * cannot stretch the exchange past the deadline either.
 */
public final class HttpsConnector {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final DNSService dns;
    private final SSLContext trust;
    private final Duration connectTimeout;

    /**
     * @param trust a context whose trust managers verify the server (see {@link org.jamestls.tls.TrustContexts});
     *              host name checking is added here
     */
    public HttpsConnector(DNSService dns, SSLContext trust, Duration connectTimeout) {
        this.dns = dns;
        this.trust = trust;
        this.connectTimeout = connectTimeout;
    }

    /** A TLS connection after its handshake; close it when the exchange is done. */
    public static final class Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final DeadlineInputStream in;

        private Connection(SSLSocket socket, DeadlineInputStream in) {
            this.socket = socket;
            this.in = in;
        }

        public SSLSocket socket() {
            return socket;
        }

        /** The response side, bounded by the deadline given to {@link #open}. */
        public DeadlineInputStream input() {
            return in;
        }

        /**
         * Closes at once: the exchange is over or its deadline passed, and TLS's close would otherwise wait up to the
         * socket's read timeout (the time left at the last read) for a peer that does not answer, stretching an
         * exchange to about twice its deadline.
         */
        @Override
        public void close() throws IOException {
            try {
                socket.setSoTimeout(1);
            } catch (IOException e) {
                // already closed
            }
            socket.close();
        }
    }

    /**
     * @throws HttpException the host has no address
     * @throws SocketTimeoutException the deadline passed
     * @throws javax.net.ssl.SSLException the handshake or the certificate check failed
     * @throws IOException no address could be connected to (the message names the last one)
     */
    public Connection open(String host, int port, long deadlineNanos) throws IOException, HttpException {
        Socket tcp = connect(host, port, deadlineNanos);
        try {
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(tcp, host, port, true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            // "HTTPS" = RFC 2818/6125 host name check against the certificate's subjectAltNames
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setProtocols(PROTOCOLS);
            tls.setSSLParameters(parameters);
            DeadlineInputStream in = new DeadlineInputStream(tls.getInputStream(), tls, deadlineNanos);
            tls.setSoTimeout((int) Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
            tls.startHandshake();
            return new Connection(tls, in);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    private Socket connect(String host, int port, long deadline) throws IOException, HttpException {
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

    private List<InetAddress> resolve(String host) throws HttpException {
        Collection<InetAddress> found;
        try {
            found = dns.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new HttpException("no address (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new HttpException("address lookup failed: " + e.getMessage());
        }
        if (found == null || found.isEmpty()) {
            throw new HttpException("no address");
        }
        return new ArrayList<>(found);
    }

    /** The innermost cause's message joined to the outer one, e.g. for "TLS failed: ..." lines. */
    public static String rootMessage(Throwable e) {
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
        return "HttpsConnector[connect " + connectTimeout + "]";
    }
}
