package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;

import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.testing.FakeDns;
import org.junit.jupiter.api.Test;

class MxResolverTest {
    private final FakeDns dns = new FakeDns();
    private final AtomicLong clock = new AtomicLong();
    private final MxResolver resolver = new MxResolver(dns, 25, clock::get);

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

        clock.addAndGet(MxResolver.MEMO_TIME.toNanos());
        resolver.resolve("dest.test");
        assertThat(dns.mxLookups.get()).isEqualTo(2);
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
