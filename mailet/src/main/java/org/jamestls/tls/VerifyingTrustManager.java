package org.jamestls.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

import org.jamestls.policy.TlsVerify;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * Applies {@code tlsVerify} to the receiver's chain and records the result in the handshake session,
 * where the delivery reads it back for logs, attributes and DSNs. {@code host} relies on the socket's
 * endpoint identification (set by {@link TlsClientProfile}); {@code optional} checks like {@code host}
 * but only records a failure.
 */
final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final TlsVerify mode;
    private final X509ExtendedTrustManager pkix;

    VerifyingTrustManager(TlsVerify mode, X509ExtendedTrustManager pkix) {
        this.mode = mode;
        this.pkix = pkix;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        SSLSession session = ((SSLSocket) socket).getHandshakeSession();
        switch (mode) {
            case NO:
                record(session, "not-verified");
                return;
            case CA:
                // the two-argument check validates the chain only, never the host name
                pkix.checkServerTrusted(chain, authType);
                record(session, "verified-ca");
                return;
            case HOST:
                pkix.checkServerTrusted(chain, authType, socket);
                record(session, "verified-host");
                return;
            default:
                try {
                    pkix.checkServerTrusted(chain, authType, socket);
                    record(session, "verified-host");
                } catch (CertificateException e) {
                    record(session, "failed: " + e.getMessage());
                }
        }
    }

    private static void record(SSLSession session, String result) {
        if (session != null) {
            session.putValue(TlsSessionInfo.VERIFICATION_SESSION_KEY, result);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("SSLEngine is not used for outbound SMTP");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a socket is needed to verify the receiver");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
