package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.TlsaRecord;
import org.jamestls.mtasts.MutableClock;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.junit.jupiter.api.Test;

/** The DANE profile cache is bounded in size (least recently used first) and in time. */
class TlsProfilesTest {
    private static final TlsaRecord RECORD = TlsaRecord.parse("3 1 1 " + "ab".repeat(32));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final TlsProfiles profiles = new TlsProfiles(new TlsClientContexts(url -> {
        throw new FileNotFoundException(url);
    }), clock);

    @Test
    void aDaneProfileIsSharedForItsLifeThenBuiltAgain() throws Exception {
        TlsClientProfile first = dane("mx.dane.test");

        assertThat(dane("mx.dane.test")).as("shared, so pooled sessions and TLS resumption work").isSameAs(first);
        clock.advance(TlsProfiles.DANE_PROFILE_LIFE);
        assertThat(dane("mx.dane.test")).as("not kept past its life").isNotSameAs(first);
    }

    @Test
    void theCacheIsBoundedAndKeepsTheProfilesInUse() throws Exception {
        TlsClientProfile busy = dane("mx.busy.test");
        for (int i = 0; i < 2 * TlsProfiles.MAX_DANE_PROFILES; i++) {
            dane("mx" + i + ".dane.test");
            if (i % 100 == 0) {
                assertThat(dane("mx.busy.test")).isSameAs(busy);
            }
        }

        assertThat(profiles.daneProfileCount()).isLessThanOrEqualTo(TlsProfiles.MAX_DANE_PROFILES);
        assertThat(dane("mx.busy.test")).isSameAs(busy);
    }

    private TlsClientProfile dane(String mxHost) throws Exception {
        return profiles.dane(policy(), DaneStatus.usable(mxHost, 25, List.of(RECORD)), "dane.test");
    }

    private static ResolvedTlsPolicy policy() throws Exception {
        return TlsPolicyParser.parse(new ByteArrayInputStream("<tlsPolicy/>".getBytes(StandardCharsets.UTF_8)), "t.xml")
            .resolve("dane.test", Optional.empty());
    }
}
