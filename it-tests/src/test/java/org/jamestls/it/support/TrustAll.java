package org.jamestls.it.support;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client that accepts any server certificate: for probes and clients that check whether a handshake is
 * possible and what is served, not who serves it (the harness's receivers and sinks have self-signed or test-CA
 * certificates). The one copy in the tests.
 */
public final class TrustAll {
    private static final SSLContext CONTEXT = build();

    private TrustAll() {
    }

    /** A shared client context trusting every server (no client certificate). */
    public static SSLContext context() {
        return CONTEXT;
    }

    /** The trust managers, for a context that also presents a client certificate. */
    public static TrustManager[] managers() {
        return new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // every server is trusted: see the class comment
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }};
    }

    private static SSLContext build() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
