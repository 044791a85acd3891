package org.jamestls.delivery;

import java.io.FileNotFoundException;

import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;

/** The default (unverified) TLS client profile, for tests that do not care about certificates. */
final class TestTls {
    private TestTls() {
    }

    static TlsClientProfile unverified() {
        try {
            return new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            }).profile(TlsClientSettings.UNVERIFIED);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
