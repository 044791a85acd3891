package org.jamestls.smtp;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What a completed STARTTLS negotiation produced, kept for logs, attributes and DSNs. */
public final class TlsSessionInfo {
    /** Session value under which the trust manager records what it verified (see org.jamestls.tls). */
    public static final String VERIFICATION_SESSION_KEY = "jamestls.verification";

    private final String protocol;
    private final String cipherSuite;
    private final Optional<String> peerSubject;
    private final String verification;

    public TlsSessionInfo(String protocol, String cipherSuite, Optional<String> peerSubject, String verification) {
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.peerSubject = peerSubject;
        this.verification = verification;
    }

    public static TlsSessionInfo from(SSLSession session) {
        return new TlsSessionInfo(session.getProtocol(), session.getCipherSuite(), peerSubjectOf(session),
            verificationOf(session));
    }

    /** The certificate verification result the trust manager stored in the session, if it stored one. */
    private static String verificationOf(SSLSession session) {
        Object value = session.getValue(VERIFICATION_SESSION_KEY);
        return value == null ? "not-verified" : value.toString();
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

    /** e.g. {@code not-verified}, {@code verified-ca}, {@code verified-host}, {@code failed: <reason>}. */
    public String verification() {
        return verification;
    }

    @Override
    public String toString() {
        return protocol + " " + cipherSuite + " (certificate " + verification + ")";
    }
}
