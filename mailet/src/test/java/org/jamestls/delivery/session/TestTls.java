package org.jamestls.delivery.session;

import java.io.FileNotFoundException;

import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;

/** Defaults for tests that do not care about certificates or connection reuse. */
final class TestTls {
    private TestTls() {
    }

    /** A pool that closes every session after its mail, as if reuse were off. */
    static SessionPool noReuse() {
        return new SessionPool(1, java.time.Duration.ZERO, 4, System::nanoTime, SessionPool.poolThread(), false);
    }

    private static final TlsClientProfile UNVERIFIED = build();

    /** One shared profile, as the mailet shares one per option set (sessions are keyed on it). */
    static TlsClientProfile unverified() {
        return UNVERIFIED;
    }

    private static TlsClientProfile build() {
        try {
            return new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            }).profile(TlsClientSettings.UNVERIFIED);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
