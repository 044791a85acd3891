package org.jamestls.delivery.session;

import org.jamestls.testing.UnverifiedTls;
import org.jamestls.tls.TlsClientProfile;

/** Defaults for tests that do not care about certificates or connection reuse. */
final class TestTls {
    private TestTls() {
    }

    /** A pool that closes every session after its mail, as if reuse were off. */
    static SessionPool noReuse() {
        return new SessionPool(1, java.time.Duration.ZERO, 4, System::nanoTime, SessionPool.poolThread(), false);
    }

    /** One shared profile, as the mailet shares one per option set (sessions are keyed on it). */
    static TlsClientProfile unverified() {
        return UnverifiedTls.profile();
    }
}
