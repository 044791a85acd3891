package org.jamestls.tls;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client TLS contexts that always verify the peer with PKIX, for HTTPS fetches (MTA-STS policies) where no
 * tlsVerify option applies: either the JDK's trust store or the authorities of a PEM bundle.
 */
public final class TrustContexts {
    private TrustContexts() {
    }

    /** Trusts what the JDK trusts (its cacerts, or javax.net.ssl.trustStore when set). */
    public static SSLContext jdkDefault() throws TlsMaterialException {
        return context(null);
    }

    /** Trusts only the certificates of a PEM bundle (a scope's tlsCa); {@code source} names it in errors. */
    public static SSLContext fromPemCa(InputStream pem, String source) throws TlsMaterialException {
        List<X509Certificate> authorities = PemFiles.certificates(pem, source);
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            return context(trusted);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsMaterialException("cannot use " + source + " as trust anchors: " + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyStore trusted) throws TlsMaterialException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException("cannot build a verifying TLS context: " + e.getMessage(), e);
        }
    }
}
