package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.mtasts.MutableClock;
import org.jamestls.testing.FakeDns;
import org.junit.jupiter.api.Test;

class MxResolverTest {
    private final FakeDns dns = new FakeDns();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final MxResolver resolver = new MxResolver(dns, 25, clock);

    @Test
    void mxHostsInOrderWithEachAddress() throws Exception {
        dns.mx("dest.test", "mx1.dest.test", "mx2.dest.test").a("mx1.dest.test", "127.0.0.11", "127.0.0.12").a("mx2.dest.test", "127.0.0.13");

        assertThat(resolver.resolve("dest.test")).extracting(MxTarget::toString).containsExactly(
            "mx1.dest.test [127.0.0.11]:25", "mx1.dest.test [127.0.0.12]:25", "mx2.dest.test [127.0.0.13]:25");
    }

    @Test
    void aBurstToOneDomainCostsOneLookupUntilTheMemoExpires() throws Exception {
        dns.mx("dest.test", "mx1.dest.test").a("mx1.dest.test", "127.0.0.11");

        resolver.resolve("dest.test");
        resolver.resolve("dest.test");
        assertThat(dns.mxLookups.get()).isEqualTo(1);

        clock.advance(MxResolver.MEMO_TIME);
        resolver.resolve("dest.test");
        assertThat(dns.mxLookups.get()).isEqualTo(2);
    }

    /**
     * The memo holds at most {@link MxResolver#MAX_MEMOS} domains, the least recently used leaving first: a burst of
     * mail to 30,000 new domains neither grows it past the bound nor evicts the domain that gets mail all along
     * (which clearing the whole memo did, costing it a lookup after every 10,000 new domains).
     */
    @Test
    void theMemoIsBoundedAndKeepsTheBusyDomainsThroughABurstOfNewOnes() throws Exception {
        dns.mx("busy.test", "mx.busy.test").a("mx.busy.test", "127.0.0.11");
        resolver.resolve("busy.test");
        for (int i = 0; i < 30_000; i++) {
            String domain = "d" + i + ".test";
            dns.mx(domain, "mx." + domain).a("mx." + domain, "127.0.0.12");
            resolver.resolve(domain);
            if (i % 1_000 == 0) {
                resolver.resolve("busy.test");
                clock.advance(Duration.ofMillis(100));
            }
        }

        assertThat(resolver.memoSize()).isLessThanOrEqualTo(MxResolver.MAX_MEMOS);
        assertThat(dns.mxLookups.get()).as("busy.test looked up once, each new domain once").isEqualTo(30_001);
    }

    @Test
    void failuresAreNotRemembered() throws Exception {
        dns.mx("dest.test", "mx1.dest.test");

        assertThatThrownBy(() -> resolver.resolve("dest.test")).isInstanceOf(MxResolver.ResolutionFailure.class)
            .hasMessageContaining("4.4.4");
        dns.a("mx1.dest.test", "127.0.0.11");
        assertThat(resolver.resolve("dest.test")).hasSize(1);
    }

    @Test
    void nullMxBouncesAtOnce() {
        dns.mx("nomail.test", ".");

        assertThatThrownBy(() -> resolver.resolve("nomail.test")).isInstanceOf(MxResolver.ResolutionFailure.class)
            .hasMessageContaining("5.1.10").hasMessageContaining("null MX");
    }

    @Test
    void internationalisedDomainsAreLookedUpByTheirALabel() throws Exception {
        dns.mx("xn--bcher-kva.test", "mx.xn--bcher-kva.test").a("mx.xn--bcher-kva.test", "127.0.0.11");

        assertThat(resolver.resolve("bücher.test")).extracting(MxTarget::toString)
            .containsExactly("mx.xn--bcher-kva.test [127.0.0.11]:25");
    }

    @Test
    void noMxAndNoAddressIsPermanent() {
        assertThatThrownBy(() -> resolver.resolve("nowhere.test")).isInstanceOf(MxResolver.ResolutionFailure.class)
            .hasMessageContaining("5.1.2");
    }
}
