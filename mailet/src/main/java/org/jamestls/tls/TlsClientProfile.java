package org.jamestls.tls;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jamestls.policy.TlsVerify;
import org.jamestls.smtp.TlsNegotiator;

/** One SSL context (trust, client key) plus the per-socket protocol, cipher and host-check settings. */
public final class TlsClientProfile implements TlsNegotiator {
    private final TlsClientSettings settings;
    private final SSLContext context;

    TlsClientProfile(TlsClientSettings settings, SSLContext context) {
        this.settings = settings;
        this.context = context;
    }

    @Override
    public SSLSocket negotiate(Socket plain, String peerHost, int peerPort) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, peerHost, peerPort, true);
        socket.setUseClientMode(true);
        SSLParameters parameters = socket.getSSLParameters();
        if (!settings.protocols().isEmpty()) {
            parameters.setProtocols(settings.protocols().toArray(String[]::new));
        }
        if (!settings.ciphers().isEmpty()) {
            parameters.setCipherSuites(settings.ciphers().toArray(String[]::new));
        }
        if (settings.verify() == TlsVerify.HOST || settings.verify() == TlsVerify.OPTIONAL) {
            // RFC 2818/6125-style matching of the MX host name (wildcards in the left-most label only)
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }
}
