package org.jamestls.dane;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.jamestls.smtp.TlsSessionInfo;

/**
 * Accepts a receiver's certificate chain only if it matches one of the MX host's usable TLSA records
 * ({@link TlsaMatcher}); the JDK's CA list plays no part. Being an {@link X509ExtendedTrustManager}, the
 * JSSE leaves host name checks to it, which is what DANE needs (names matter for DANE-TA only, and are
 * checked against the TLSA base domain, not the socket's peer host). It records what matched in the
 * handshake session under {@link TlsSessionInfo#VERIFICATION_SESSION_KEY}, like the policy's verifier.
 */
public final class DaneTrustManager extends X509ExtendedTrustManager {
    private final TlsaMatcher matcher;

    /**
     * @param records the MX host's TLSA records (unusable ones are ignored; at least one must be usable)
     * @param names the reference identifiers: the MX host (TLSA base domain) first, optionally the next-hop domain
     */
    public DaneTrustManager(List<TlsaRecord> records, ReferenceNames names) {
        this(new TlsaMatcher(records, names));
    }

    DaneTrustManager(TlsaMatcher matcher) {
        if (matcher.usableRecords().isEmpty()) {
            throw new IllegalArgumentException("no usable TLSA record: DANE authentication is impossible");
        }
        this.matcher = matcher;
    }

    /** A TLS client context that trusts through this manager and presents the given client certificates. */
    public SSLContext newSslContext(KeyManager[] keyManagers) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, new TrustManager[] {this}, null);
        return context;
    }

    public TlsaMatcher matcher() {
        return matcher;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, null);
    }

    private void check(X509Certificate[] chain, SSLSession session) throws CertificateException {
        TlsaMatch match = matcher.match(chain == null ? List.of() : Arrays.asList(chain));
        if (session != null) {
            session.putValue(TlsSessionInfo.VERIFICATION_SESSION_KEY,
                match.isMatch() ? match.description() : "failed: " + match.description());
        }
        if (!match.isMatch()) {
            throw new CertificateException(match.description());
        }
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
        return new X509Certificate[0];
    }
}
