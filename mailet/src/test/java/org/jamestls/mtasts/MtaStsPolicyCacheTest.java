package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MtaStsPolicyCacheTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private static CachedPolicy policy(String domain, String id, long maxAge, Instant fetchedAt) throws Exception {
        return new CachedPolicy(domain, id, MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: *." + domain
            + "\r\nmax_age: " + maxAge + "\r\n"), fetchedAt);
    }

    @Test
    void aStoredPolicyIsReturnedUntilItExpires() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock);
        cache.put(policy("a.test", "1", 3600, T0));

        assertThat(cache.get("A.Test.", T0.plusSeconds(3599))).map(CachedPolicy::id).contains("1");
        assertThat(cache.get("a.test", T0.plusSeconds(3600))).isEmpty();
        assertThat(cache.get("b.test", T0)).isEmpty();
    }

    @Test
    void aNewCacheOverTheSameDirectorySeesThePolicy() throws Exception {
        CachedPolicy stored = policy("a.test", "20261126", 86400, T0);
        new MtaStsPolicyCache(dir, clock).put(stored);

        MtaStsPolicyCache restarted = new MtaStsPolicyCache(dir, clock);

        assertThat(restarted.get("a.test", T0.plusSeconds(60))).contains(stored);
        assertThat(restarted.get("a.test", T0).get().policy().text()).contains("\r\n");
    }

    @Test
    void writesOneFileAndLeavesNoTemporaryFiles() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir.resolve("var/mtasts"), clock);
        cache.put(policy("a.test", "1", 60, T0));
        cache.put(policy("a.test", "2", 60, T0.plusSeconds(1)));

        try (Stream<Path> files = Files.list(dir.resolve("var/mtasts"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.test.policy");
        }
        assertThat(new MtaStsPolicyCache(dir.resolve("var/mtasts"), clock).get("a.test", T0).get().id()).isEqualTo("2");
    }

    @Test
    void anOlderFetchDoesNotReplaceANewerOne() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock);
        cache.put(policy("a.test", "new", 60, T0.plusSeconds(10)));
        cache.put(policy("a.test", "old", 60, T0));

        assertThat(cache.get("a.test", T0.plusSeconds(10)).get().id()).isEqualTo("new");
    }

    @Test
    void anUnreadableFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve("a.test.policy"), "id=1\nfetchedAt=yesterday\npolicy=garbage\n");

        assertThat(new MtaStsPolicyCache(dir, clock).get("a.test", T0)).isEmpty();
    }

    @Test
    void anExpiredPolicyOnDiskIsNotUsedAfterARestart() throws Exception {
        new MtaStsPolicyCache(dir, clock).put(policy("a.test", "1", 60, T0));

        assertThat(new MtaStsPolicyCache(dir, clock).get("a.test", T0.plus(Duration.ofMinutes(2)))).isEmpty();
    }

    @Test
    void anUnwritableDirectoryStillCachesInMemory() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        MtaStsPolicyCache cache = new MtaStsPolicyCache(file, clock);
        cache.put(policy("a.test", "1", 60, T0));

        assertThat(cache.get("a.test", T0)).isPresent();
    }

    @Test
    void anExpiredPolicyFileIsDeletedWhenRead() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock);
        cache.put(policy("a.test", "1", 60, T0));
        clock.advance(Duration.ofMinutes(2));

        assertThat(cache.get("a.test", clock.instant())).isEmpty();
        assertThat(Files.exists(dir.resolve("a.test.policy"))).isFalse();
    }

    @Test
    void expiredPolicyFilesArePrunedAtStartUpAndEveryHour() throws Exception {
        MtaStsPolicyCache first = new MtaStsPolicyCache(dir, clock);
        for (int i = 0; i < 10; i++) {
            first.put(policy("short" + i + ".test", "1", 60, T0));
            first.put(policy("long" + i + ".test", "1", 86_400, T0));
        }
        clock.advance(Duration.ofMinutes(2));

        MtaStsPolicyCache restarted = new MtaStsPolicyCache(dir, clock);
        assertThat(restarted.fileCount()).as("the 10 expired ones deleted at start-up").isEqualTo(10);

        restarted.put(policy("brief.test", "1", 60, clock.instant()));
        clock.advance(MtaStsPolicyCache.PRUNE_INTERVAL);
        restarted.put(policy("later.test", "1", 86_400, clock.instant()));
        assertThat(restarted.fileCount()).as("brief.test pruned with the next write an hour later").isEqualTo(11);
    }

    @Test
    void theNumberOfPolicyFilesIsCappedDroppingThoseExpiringSoonest() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock, MtaStsPolicyCache.DEFAULT_MEMORY_BYTES, 100);
        for (int i = 0; i < 1_000; i++) {
            cache.put(policy("d" + i + ".test", "1", 86_400 + i, T0));
        }

        assertThat(cache.fileCount()).isLessThanOrEqualTo(100);
        assertThat(Files.exists(dir.resolve("d999.test.policy"))).as("expiring last, kept").isTrue();
        assertThat(Files.exists(dir.resolve("d0.test.policy"))).isFalse();
    }

    @Test
    void aFileWrittenBeforeExpiryTimesWereKeptIsNotPrunedByItsDate() throws Exception {
        new MtaStsPolicyCache(dir, clock).put(policy("a.test", "1", 86_400, T0));
        Files.setLastModifiedTime(dir.resolve("a.test.policy"), java.nio.file.attribute.FileTime.from(T0));
        clock.advance(Duration.ofMinutes(2));

        MtaStsPolicyCache restarted = new MtaStsPolicyCache(dir, clock);

        assertThat(restarted.fileCount()).isEqualTo(1);
        assertThat(restarted.get("a.test", clock.instant())).isPresent();
    }

    @Test
    void domainsWithoutAPolicyTakeNoMemory() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock);
        cache.put(policy("a.test", "1", 3600, T0));
        for (int i = 0; i < 1_000; i++) {
            assertThat(cache.get("nothing" + i + ".test", T0)).isEmpty();
        }

        assertThat(cache.memoryEntries()).isEqualTo(1);
    }

    @Test
    void memoryHoldsABoundedWeightOfPoliciesTheRestIsReadFromDisk() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir, clock, 100_000, MtaStsPolicyCache.DEFAULT_MAX_FILES);
        for (int i = 0; i < 1_000; i++) {
            cache.put(policy("d" + i + ".test", "1", 86_400, T0));
        }

        assertThat(cache.memoryEntries()).isLessThan(200);
        assertThat(cache.get("d0.test", T0)).as("evicted from memory, still on disk").isPresent();
    }
}
