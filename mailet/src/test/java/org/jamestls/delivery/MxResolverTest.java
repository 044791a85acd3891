package org.jamestls.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
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

    /** MX and A records from maps; MX lookups are counted. */
    private static final class FakeDns implements DNSService {
        private final Map<String, List<String>> mx = new HashMap<>();
        private final Map<String, List<InetAddress>> a = new HashMap<>();
        final AtomicInteger mxLookups = new AtomicInteger();

        FakeDns mx(String domain, String... hosts) {
            mx.put(domain, List.of(hosts));
            return this;
        }

        FakeDns a(String host, String... addresses) throws UnknownHostException {
            List<InetAddress> resolved = new java.util.ArrayList<>();
            for (String address : addresses) {
                resolved.add(InetAddress.getByName(address));
            }
            a.put(host, resolved);
            return this;
        }

        @Override
        public Collection<String> findMXRecords(String hostname) throws TemporaryResolutionException {
            mxLookups.incrementAndGet();
            return mx.getOrDefault(hostname, List.of());
        }

        @Override
        public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
            List<InetAddress> addresses = a.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            return addresses;
        }

        @Override
        public Collection<String> findTXTRecords(String hostname) {
            return List.of();
        }

        @Override
        public InetAddress getByName(String host) throws UnknownHostException {
            return getAllByName(host).iterator().next();
        }

        @Override
        public InetAddress getLocalHost() throws UnknownHostException {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public String getHostName(InetAddress address) {
            return address.getHostAddress();
        }
    }
}
