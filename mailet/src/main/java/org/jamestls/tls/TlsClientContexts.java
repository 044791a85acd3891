package org.jamestls.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client SSL contexts used for STARTTLS, built once at start-up and shared by every connection
 * (sharing also lets JSSE resume sessions). Certificates are not verified, as Momentum's
 * {@code tls_verify = no} default: opportunistic and required TLS protect against passive
 * eavesdropping; verification options select other contexts here.
 */
public final class TlsClientContexts {
    private final SSLSocketFactory unverified;

    private TlsClientContexts(SSLSocketFactory unverified) {
        this.unverified = unverified;
    }

    public static TlsClientContexts create() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, new SecureRandom());
            return new TlsClientContexts(context.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot create a TLS client context", e);
        }
    }

    /** The socket factory for connections whose policy does not verify the peer certificate. */
    public SSLSocketFactory unverified() {
        return unverified;
    }

    /** Accepts any chain and skips host name checks: used only where verification is off by policy. */
    private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
