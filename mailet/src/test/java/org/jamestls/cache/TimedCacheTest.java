package org.jamestls.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.Test;

class TimedCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

    @Test
    void anEntryLivesItsOwnLife() {
        TimedCache<String, String> cache = TimedCache.create(10, Duration.ofHours(1), clock);
        cache.put("short", "a", Duration.ofSeconds(5));
        cache.put("long", "b", Duration.ofMinutes(5));

        clock.advance(Duration.ofSeconds(5));

        assertThat(cache.get("short")).isEmpty();
        assertThat(cache.get("long")).contains("b");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void noEntryOutlivesTheLongestLife() {
        TimedCache<String, String> cache = TimedCache.create(10, Duration.ofHours(1), clock);
        cache.put("k", "v", Duration.ofDays(30));

        clock.advance(Duration.ofMinutes(59));
        assertThat(cache.get("k")).contains("v");
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void aZeroLifeIsNotKeptAndRemovesAnOlderValue() {
        TimedCache<String, String> cache = TimedCache.create(10, Duration.ofHours(1), clock);
        cache.put("k", "v", Duration.ofMinutes(1));
        cache.put("k", "w", Duration.ZERO);

        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void sizeIsBoundedLeastRecentlyUsedLeavingFirst() {
        TimedCache<Integer, String> cache = TimedCache.create(100, Duration.ofHours(1), clock);
        for (int i = 0; i < 10_000; i++) {
            cache.put(i, "v" + i, Duration.ofMinutes(1));
            cache.get(0);
        }

        assertThat(cache.size()).isLessThanOrEqualTo(100);
        assertThat(cache.get(0)).as("used all along").contains("v0");
        assertThat(cache.get(9_999)).contains("v9999");
        assertThat(cache.get(1)).isEmpty();
    }

    @Test
    void weightIsBounded() {
        TimedCache<Integer, String> cache = TimedCache.weighted(10_000, String::length, Duration.ofHours(1), clock);
        for (int i = 0; i < 1_000; i++) {
            cache.put(i, "x".repeat(1_000), Duration.ofMinutes(1));
        }

        assertThat(cache.size()).isLessThanOrEqualTo(10);
        assertThat(cache.get(999)).isPresent();
    }
}
