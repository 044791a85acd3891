package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.Test;

/** Lookups through the DNSService and what is remembered, for how long, and how many. */
class TlsRptDiscoveryTest {
    private final FakeDns dns = new FakeDns();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-02T00:10:00Z"));
    private final TlsRptDiscovery discovery = new TlsRptDiscovery(dns, clock);

    @Test
    void looksUpTheNormalisedPolicyDomain() {
        dns.txt("_smtp._tls.example.net", "\"v=TLSRPTv1; rua=mailto:tlsrpt@example.net\"");

        TlsRptDiscovery.Lookup lookup = discovery.lookup("Example.NET.");

        assertThat(lookup.record().orElseThrow().uris()).extracting(ReportUri::text)
            .containsExactly("mailto:tlsrpt@example.net");
        assertThat(lookup.isFailure()).isFalse();
    }

    @Test
    void aRecordIsRememberedForAnHour() {
        dns.txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:a@example.net");
        discovery.lookup("example.net");
        dns.txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:b@example.net");

        clock.advance(TlsRptDiscovery.POSITIVE_MEMORY.minusSeconds(1));
        assertThat(discovery.lookup("example.net").record().orElseThrow().uris().get(0).text())
            .isEqualTo("mailto:a@example.net");
        clock.advance(Duration.ofSeconds(2));
        assertThat(discovery.lookup("example.net").record().orElseThrow().uris().get(0).text())
            .isEqualTo("mailto:b@example.net");
        assertThat(dns.txtLookups).hasValue(2);
    }

    @Test
    void noRecordIsRememberedForTenMinutes() {
        assertThat(discovery.lookup("quiet.example").record()).isEmpty();
        dns.txt("_smtp._tls.quiet.example", "v=TLSRPTv1; rua=mailto:a@quiet.example");

        clock.advance(TlsRptDiscovery.NEGATIVE_MEMORY.minusSeconds(1));
        assertThat(discovery.lookup("quiet.example").record()).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(discovery.lookup("quiet.example").record()).isPresent();
        assertThat(dns.txtLookups).hasValue(2);
    }

    @Test
    void aFailedLookupIsNotRemembered() {
        dns.txtFails = true;
        TlsRptDiscovery.Lookup failed = discovery.lookup("example.net");
        dns.txtFails = false;
        dns.txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:a@example.net");

        assertThat(failed.isFailure()).isTrue();
        assertThat(failed.description()).contains("_smtp._tls.example.net failed: SERVFAIL");
        assertThat(discovery.lookup("example.net").record()).isPresent();
    }

    @Test
    void atMostTenThousandDomainsAreRemembered() {
        for (int i = 0; i <= TlsRptDiscovery.MAX_REMEMBERED; i++) {
            discovery.lookup("d" + i + ".example");
        }
        int lookups = dns.txtLookups.get();

        discovery.lookup("d" + TlsRptDiscovery.MAX_REMEMBERED + ".example"); // the newest: still remembered
        assertThat(dns.txtLookups).hasValue(lookups);
        discovery.lookup("d0.example"); // the eldest: forgotten
        assertThat(dns.txtLookups).hasValue(lookups + 1);
    }
}
