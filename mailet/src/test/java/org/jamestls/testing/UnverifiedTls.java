package org.jamestls.testing;

import java.io.FileNotFoundException;

import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;

/**
 * The mailet's own client profile for {@code tlsVerify no} ({@link TlsClientSettings#UNVERIFIED}), for tests whose
 * receivers present throw-away certificates: the one unverified TLS client of the unit tests.
 */
public final class UnverifiedTls {
    private static final TlsClientProfile PROFILE = build();

    private UnverifiedTls() {
    }

    /** One shared profile, as the mailet shares one per option set (sessions are keyed on it). */
    public static TlsClientProfile profile() {
        return PROFILE;
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
