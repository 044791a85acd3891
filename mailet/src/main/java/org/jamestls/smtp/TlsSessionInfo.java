package org.jamestls.smtp;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What a completed STARTTLS negotiation produced, kept for logs, attributes and DSNs. */
public final class TlsSessionInfo {
    private final String protocol;
    private final String cipherSuite;
    private final Optional<String> peerSubject;

    public TlsSessionInfo(String protocol, String cipherSuite, Optional<String> peerSubject) {
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.peerSubject = peerSubject;
    }

    public static TlsSessionInfo from(SSLSession session) {
        return new TlsSessionInfo(session.getProtocol(), session.getCipherSuite(), peerSubjectOf(session));
    }

    private static Optional<String> peerSubjectOf(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate) {
                return Optional.of(((X509Certificate) chain[0]).getSubjectX500Principal().getName());
            }
        } catch (SSLPeerUnverifiedException e) {
            // anonymous cipher suites have no peer certificate
        }
        return Optional.empty();
    }

    public String protocol() {
        return protocol;
    }

    public String cipherSuite() {
        return cipherSuite;
    }

    public Optional<String> peerSubject() {
        return peerSubject;
    }

    @Override
    public String toString() {
        return protocol + " " + cipherSuite;
    }
}
