package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import org.jamestls.testing.FakeDns;
import org.jamestls.testing.RetainedHeap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 random recipient domains through one {@link MtaStsPolicySource}, as a busy sender meets them: what the
 * source keeps (heap after full collections, files under the cache directory) stays bounded. The fixtures (fake
 * DNS records) are built before the first measurement, so only the source's own state is counted.
 */
class MtaStsBoundedStateTest {
    private static final int DOMAINS = 100_000;
    /** Generous: far above what the bounds allow (a few MiB), far below what one entry per domain costs (~25 MiB). */
    private static final long RETAINED_HEAP_BOUND = 10L * 1024 * 1024;
    private static final String PUBLISHING_PREFIX = "sts-";
    private static final String POLICY = "version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 3600\n";

    @TempDir
    Path dir;

    private final FakeDns dns = new FakeDns();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    /** Serves a policy for the publishing domains, computed from the name (no per-domain fixture). */
    private final PolicyFetcher fetcher = domain -> {
        if (!domain.startsWith(PUBLISHING_PREFIX)) {
            throw new MtaStsFetchException("mta-sts." + domain + ": HTTP 404");
        }
        return POLICY;
    };

    @Test
    void aBurstOfDistinctDomainsWithoutMtaStsKeepsBoundedMemory() {
        String[] domains = randomDomains(DOMAINS, 0);
        MtaStsPolicySource source = new MtaStsPolicySource(dns, fetcher, new MtaStsPolicyCache(dir, clock), clock,
            MtaStsPolicySource.DEFAULT_FAILURE_MEMORY);
        long before = RetainedHeap.usedAfterGc();

        for (String domain : domains) {
            assertThat(source.lookup(domain).state()).isEqualTo(MtaStsLookup.State.NONE);
        }
        long retained = RetainedHeap.usedAfterGc() - before;

        System.out.println("MTA-STS, " + DOMAINS + " domains without a policy within a minute: retained "
            + RetainedHeap.mib(retained));
        assertThat(retained).as("heap retained by the source after %d domains: %s", DOMAINS, RetainedHeap.mib(retained))
            .isLessThan(RETAINED_HEAP_BOUND);
        // the memo still works for the recent ones: no second TXT lookup
        int txtLookups = dns.txtLookups.get();
        source.lookup(domains[DOMAINS - 1]);
        assertThat(dns.txtLookups).hasValue(txtLookups);
        Reference.reachabilityFence(source);
    }

    @Test
    void aDayOfDistinctDomainsSomePublishingKeepsBoundedMemoryAndFiles() {
        // one domain in 50 publishes a policy with max_age 1 hour; one lookup a second, so 100,000 s pass
        String[] domains = randomDomains(DOMAINS, 50);
        for (String domain : domains) {
            if (domain.startsWith(PUBLISHING_PREFIX)) {
                dns.txt("_mta-sts." + domain, "v=STSv1; id=1");
            }
        }
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir.resolve("var/mtasts"), clock);
        MtaStsPolicySource source = new MtaStsPolicySource(dns, fetcher, cache, clock,
            MtaStsPolicySource.DEFAULT_FAILURE_MEMORY);
        long before = RetainedHeap.usedAfterGc();

        int enforced = 0;
        for (String domain : domains) {
            enforced += source.lookup(domain).isEnforce() ? 1 : 0;
            clock.advance(Duration.ofSeconds(1));
        }
        long retained = RetainedHeap.usedAfterGc() - before;

        int files = cache.fileCount();
        System.out.println("MTA-STS, " + DOMAINS + " domains over 28 hours, " + enforced + " with a policy: retained "
            + RetainedHeap.mib(retained) + ", " + files + " policy files, " + cache.memoryEntries() + " in memory");
        assertThat(enforced).isEqualTo(DOMAINS / 50);
        // alive: those fetched within max_age (3600 lookups) plus the hour before the next prune
        assertThat(files).as("policy files left of %d fetched", enforced).isLessThanOrEqualTo(2 * 3600 / 50 + 10);
        assertThat(cache.memoryEntries()).as("unexpired policies only").isLessThanOrEqualTo(3600 / 50 + 10);
        assertThat(retained).as("heap retained: %s", RetainedHeap.mib(retained)).isLessThan(RETAINED_HEAP_BOUND);
        Reference.reachabilityFence(source);
    }

    /** Distinct random names; every {@code publishingEvery}-th publishes MTA-STS (0: none). */
    private static String[] randomDomains(int count, int publishingEvery) {
        Random random = new Random(20261126);
        String[] domains = new String[count];
        for (int i = 0; i < count; i++) {
            String name = Long.toHexString(random.nextLong()) + "-" + i + ".example";
            domains[i] = (publishingEvery > 0 && i % publishingEvery == 0 ? PUBLISHING_PREFIX : "d-") + name;
        }
        return domains;
    }
}
