package org.jamestls.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The server side of a TLS test peer (e.g. a TLS-terminating {@link SmtpFaultProxy}), from PEM files. */
public final class TlsServerContext {

    private TlsServerContext() {
    }

    /** A context that presents {@code chainPem} (leaf first) with the PKCS#8 key in {@code keyPem}. */
    public static SSLContext fromPem(Path chainPem, Path keyPem) {
        try {
            KeyStore ks = TlsClient.emptyKeyStore();
            ks.setKeyEntry("server", TlsClient.pkcs8Key(keyPem), new char[0],
                TlsClient.certificates(chainPem).toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot load server TLS material " + chainPem + " / " + keyPem, e);
        }
    }

    /** The test CA's valid receiver certificate: enough for tlsVerify=no, which is what fault tests use. */
    public static SSLContext validReceiver(TestCertificates certificates) {
        return fromPem(certificates.serverChain(ServerCertKind.VALID), certificates.serverKey(ServerCertKind.VALID));
    }
}
