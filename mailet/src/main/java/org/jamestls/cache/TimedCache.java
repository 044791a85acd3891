package org.jamestls.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * A map bounded in size and in time: at most {@code maxEntries} entries (or {@code maxWeight} units of weight), the
 * least recently used leaving first (Guava's cache, which James ships), and each entry kept for its own life, never
 * longer than {@code longestLife}. Time comes from a {@link Clock}, so tests can move it. Thread-safe.
 */
public final class TimedCache<K, V> {
    private static final class Entry<V> {
        final V value;
        final Instant expiresAt;

        Entry(V value, Instant expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    private final Cache<K, Entry<V>> entries;
    private final Clock clock;
    private final Duration longestLife;
    private final long bound;

    private TimedCache(CacheBuilder<Object, Object> builder, Clock clock, Duration longestLife, long bound) {
        this.entries = builder.ticker(ticker(clock)).expireAfterWrite(longestLife.toNanos(), TimeUnit.NANOSECONDS).build();
        this.clock = clock;
        this.longestLife = longestLife;
        this.bound = bound;
    }

    /** At most {@code maxEntries} entries, each at most {@code longestLife}. */
    public static <K, V> TimedCache<K, V> create(long maxEntries, Duration longestLife, Clock clock) {
        return new TimedCache<>(CacheBuilder.newBuilder().maximumSize(maxEntries), clock, longestLife, maxEntries);
    }

    /** At most {@code maxWeight} in total, each value weighing {@code weigher} of it (e.g. its size in bytes). */
    public static <K, V> TimedCache<K, V> weighted(long maxWeight, ToIntFunction<V> weigher, Duration longestLife,
                                                   Clock clock) {
        CacheBuilder<Object, Object> builder = CacheBuilder.newBuilder().maximumWeight(maxWeight)
            .weigher((Object key, Object entry) -> weighOf(weigher, entry));
        return new TimedCache<>(builder, clock, longestLife, maxWeight);
    }

    @SuppressWarnings("unchecked")
    private static <V> int weighOf(ToIntFunction<V> weigher, Object entry) {
        return Math.max(1, weigher.applyAsInt(((Entry<V>) entry).value));
    }

    private static Ticker ticker(Clock clock) {
        return new Ticker() {
            @Override
            public long read() {
                return TimeUnit.MILLISECONDS.toNanos(clock.millis());
            }
        };
    }

    /** The value, if one was put less than its life ago. */
    public Optional<V> get(K key) {
        Entry<V> entry = entries.getIfPresent(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expiresAt)) {
            entries.asMap().remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value);
    }

    /** Keeps {@code value} for {@code life} (capped at the longest life); a life of zero or less removes the key. */
    public void put(K key, V value, Duration life) {
        if (life.isZero() || life.isNegative()) {
            entries.invalidate(key);
            return;
        }
        Duration kept = life.compareTo(longestLife) > 0 ? longestLife : life;
        entries.put(key, new Entry<>(value, clock.instant().plus(kept)));
    }

    public void remove(K key) {
        entries.invalidate(key);
    }

    /** Entries held now (expired ones dropped first). */
    public long size() {
        Instant now = clock.instant();
        entries.asMap().values().removeIf(entry -> !now.isBefore(entry.expiresAt));
        entries.cleanUp();
        return entries.size();
    }

    /** The size (or weight) bound. */
    public long bound() {
        return bound;
    }

    public Duration longestLife() {
        return longestLife;
    }
}
