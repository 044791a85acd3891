package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;

import org.jamestls.mtasts.MutableClock;
import org.jamestls.testing.RetainedHeap;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * The DNSSEC resolver's answer cache: a second mail to a DANE domain asks nothing again while the answers live
 * (their TTL; the SOA's negative TTL for denials; briefly for BOGUS and FAILED), and the cache stays bounded.
 */
class DnssecAnswerCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

    @Test
    void aSecondDeliveryToADaneDomainAsksNothingAgain() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
            .secure("dane.test", Type.MX, "10 mx.dane.test.")
            .secure("mx.dane.test", Type.A, "192.0.2.1")
            .secure("mx.dane.test", Type.AAAA)
            .secure("_25._tcp.mx.dane.test", Type.TLSA, "3 1 1 00ff");
        DaneLookup dane = new DaneLookup(ScriptedValidatingResolver.resolverOver(dns, clock));

        DaneStatus first = deliverTo(dane);
        int asked = dns.queries.get();
        DaneStatus second = deliverTo(dane);

        assertThat(asked).as("MX, A, AAAA, TLSA").isEqualTo(4);
        assertThat(dns.queries).as("nothing asked for the second mail").hasValue(4);
        assertThat(second.describe()).isEqualTo(first.describe());
    }

    private static DaneStatus deliverTo(DaneLookup dane) {
        assertThat(dane.mx("dane.test").isSecure()).isTrue();
        return dane.forMx("mx.dane.test", 25);
    }

    @Test
    void recordsAreReusedForTheirTtl() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
            .secureWithTtl("dane.test", Type.MX, 300, "10 mx.dane.test.");
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);

        resolver.mx("dane.test");
        clock.advance(Duration.ofSeconds(299));
        resolver.mx("dane.test");
        assertThat(dns.queries).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        resolver.mx("dane.test");
        assertThat(dns.queries).hasValue(2);
    }

    @Test
    void aZeroTtlIsNotCached() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver().secureWithTtl("dane.test", Type.MX, 0, "10 mx.dane.test.");
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);

        resolver.mx("dane.test");
        resolver.mx("dane.test");

        assertThat(dns.queries).hasValue(2);
    }

    @Test
    void aLongTtlIsCappedAtAnHour() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
            .secureWithTtl("dane.test", Type.MX, 86_400, "10 mx.dane.test.");
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);

        resolver.mx("dane.test");
        clock.advance(DnssecResolver.LONGEST_ANSWER_LIFE);
        resolver.mx("dane.test");

        assertThat(dns.queries).hasValue(2);
    }

    @Test
    void aDenialIsReusedForTheSoaNegativeTtlCapped() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
            .nxdomainWithSoa("_25._tcp.mx1.dane.test", Type.TLSA, 3600, 10)
            .nxdomainWithSoa("_25._tcp.mx2.dane.test", Type.TLSA, 86_400, 86_400)
            .nxdomain("_25._tcp.mx3.dane.test", Type.TLSA, true);
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);

        assertThat(livesFor(resolver, dns, "mx1.dane.test")).as("min(SOA TTL, MINIMUM)").isEqualTo(Duration.ofSeconds(10));
        assertThat(livesFor(resolver, dns, "mx2.dane.test")).as("capped").isEqualTo(DnssecResolver.LONGEST_NEGATIVE_LIFE);
        assertThat(livesFor(resolver, dns, "mx3.dane.test")).as("no SOA").isEqualTo(DnssecResolver.NEGATIVE_LIFE_WITHOUT_SOA);
    }

    /** How long the TLSA answer of {@code host} is reused, to the second. */
    private Duration livesFor(DnssecResolver resolver, ScriptedValidatingResolver dns, String host) {
        resolver.tlsa(host, 25);
        int asked = dns.queries.get();
        Duration lived = Duration.ZERO;
        while (dns.queries.get() == asked && lived.compareTo(Duration.ofHours(2)) < 0) {
            clock.advance(Duration.ofSeconds(1));
            lived = lived.plusSeconds(1);
            assertThat(resolver.tlsa(host, 25).isSecureDenial()).isTrue();
        }
        return lived;
    }

    @Test
    void bogusAndFailedAnswersAreReusedBrieflyOnly() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
            .bogus("bogus.dane.test", Type.MX, "Did not match a DS to a DNSKEY.")
            .unreachable("down.dane.test", Type.MX);
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);

        resolver.mx("bogus.dane.test");
        resolver.mx("down.dane.test");
        resolver.mx("bogus.dane.test");
        resolver.mx("down.dane.test");
        assertThat(dns.queries).as("a burst costs one lookup each").hasValue(2);

        clock.advance(DnssecResolver.FAILURE_LIFE);
        assertThat(resolver.mx("bogus.dane.test").status()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(resolver.mx("down.dane.test").status()).isEqualTo(DnssecStatus.FAILED);
        assertThat(dns.queries).as("asked again after %s", DnssecResolver.FAILURE_LIFE).hasValue(4);
    }

    @Test
    void oneHundredThousandDomainsKeepTheCacheBounded() {
        ScriptedValidatingResolver dns = new ScriptedValidatingResolver().otherwiseSecure(Type.MX, "10 mx.example.net.");
        DnssecResolver resolver = ScriptedValidatingResolver.resolverOver(dns, clock);
        String[] domains = new String[100_000];
        for (int i = 0; i < domains.length; i++) {
            domains[i] = "d" + Integer.toHexString(i * 7919) + "-" + i + ".example";
        }
        long before = RetainedHeap.usedAfterGc();

        for (String domain : domains) {
            assertThat(resolver.mx(domain).isSecure()).isTrue();
        }
        long retained = RetainedHeap.usedAfterGc() - before;

        System.out.println("DNSSEC answers, 100000 domains: " + resolver.cachedAnswers() + " cached, retained "
            + RetainedHeap.mib(retained));
        assertThat(resolver.cachedAnswers()).isLessThanOrEqualTo(DnssecResolver.MAX_CACHED_ANSWERS);
        assertThat(retained).as("heap retained: %s", RetainedHeap.mib(retained)).isLessThan(16L * 1024 * 1024);
        assertThat(resolver.mx(domains[domains.length - 1]).isSecure()).isTrue();
        assertThat(dns.queries).as("the latest is still cached").hasValue(domains.length);
        Reference.reachabilityFence(resolver);
    }
}
