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

    private static CachedPolicy policy(String domain, String id, long maxAge, Instant fetchedAt) throws Exception {
        return new CachedPolicy(domain, id, MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: *." + domain
            + "\r\nmax_age: " + maxAge + "\r\n"), fetchedAt);
    }

    @Test
    void aStoredPolicyIsReturnedUntilItExpires() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir);
        cache.put(policy("a.test", "1", 3600, T0));

        assertThat(cache.get("A.Test.", T0.plusSeconds(3599))).map(CachedPolicy::id).contains("1");
        assertThat(cache.get("a.test", T0.plusSeconds(3600))).isEmpty();
        assertThat(cache.get("b.test", T0)).isEmpty();
    }

    @Test
    void aNewCacheOverTheSameDirectorySeesThePolicy() throws Exception {
        CachedPolicy stored = policy("a.test", "20261126", 86400, T0);
        new MtaStsPolicyCache(dir).put(stored);

        MtaStsPolicyCache restarted = new MtaStsPolicyCache(dir);

        assertThat(restarted.get("a.test", T0.plusSeconds(60))).contains(stored);
        assertThat(restarted.get("a.test", T0).get().policy().text()).contains("\r\n");
    }

    @Test
    void writesOneFileAndLeavesNoTemporaryFiles() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir.resolve("var/mtasts"));
        cache.put(policy("a.test", "1", 60, T0));
        cache.put(policy("a.test", "2", 60, T0.plusSeconds(1)));

        try (Stream<Path> files = Files.list(dir.resolve("var/mtasts"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.test.policy");
        }
        assertThat(new MtaStsPolicyCache(dir.resolve("var/mtasts")).get("a.test", T0).get().id()).isEqualTo("2");
    }

    @Test
    void anOlderFetchDoesNotReplaceANewerOne() throws Exception {
        MtaStsPolicyCache cache = new MtaStsPolicyCache(dir);
        cache.put(policy("a.test", "new", 60, T0.plusSeconds(10)));
        cache.put(policy("a.test", "old", 60, T0));

        assertThat(cache.get("a.test", T0.plusSeconds(10)).get().id()).isEqualTo("new");
    }

    @Test
    void anUnreadableFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve("a.test.policy"), "id=1\nfetchedAt=yesterday\npolicy=garbage\n");

        assertThat(new MtaStsPolicyCache(dir).get("a.test", T0)).isEmpty();
    }

    @Test
    void anExpiredPolicyOnDiskIsNotUsedAfterARestart() throws Exception {
        new MtaStsPolicyCache(dir).put(policy("a.test", "1", 60, T0));

        assertThat(new MtaStsPolicyCache(dir).get("a.test", T0.plus(Duration.ofMinutes(2)))).isEmpty();
    }

    @Test
    void anUnwritableDirectoryStillCachesInMemory() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        MtaStsPolicyCache cache = new MtaStsPolicyCache(file);
        cache.put(policy("a.test", "1", 60, T0));

        assertThat(cache.get("a.test", T0)).isPresent();
    }
}
