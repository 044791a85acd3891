package org.jamestls.brokentls;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MX endpoints whose TLS handshake failed, each remembered until a time of its own (the {@code tlsRememberBroken}
 * of the delivery that failed), so that {@code ifavailable} mail can go to them in plaintext for that long without
 * failing the handshake again. Never for {@code required}, MTA-STS {@code enforce}, usable DANE or REQUIRETLS
 * mail: that is the planner's rule ({@code org.jamestls.delivery.plan.DeliveryPlanner}), which consults the memory and
 * has the delivery loop report each handshake failure and use to it.
 *
 * <p>Bounded: at most {@link #maxEntries()} entries ({@value #DEFAULT_MAX_ENTRIES} in James). When a new endpoint
 * comes in while full, expired entries go first; if none has expired, the entry that would expire soonest is
 * forgotten early (counted in {@code jamestls_broken_tls_evicted}, warned in the log). Forgetting early is the safe
 * direction: that MX just gets TLS tried again. Expired entries are dropped when looked up, listed, or when room is
 * needed, so they cost nothing but their slot until then.
 *
 * <p>In memory, per James process: a restart forgets everything, and each node of several learns by itself (a
 * broken receiver costs each node one failed handshake per period; a WebAdmin DELETE forgets it on that node only).
 *
 * <p>Metrics: {@code jamestls_broken_tls_remembered} (each handshake failure remembered),
 * {@code jamestls_broken_tls_used} (each delivery that went in plaintext because of an entry, counted by
 * {@link #recordUse}), {@code jamestls_broken_tls_evicted}. One instance per James (Guice singleton), shared by the
 * mailet and the WebAdmin routes. Thread-safe; every operation is a short synchronized step.
 */
@Singleton
public class BrokenTlsMemory {
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    static final String REMEMBERED_METRIC = "jamestls_broken_tls_remembered";
    static final String USED_METRIC = "jamestls_broken_tls_used";
    static final String EVICTED_METRIC = "jamestls_broken_tls_evicted";

    private static final Logger LOGGER = LoggerFactory.getLogger(BrokenTlsMemory.class);
    private static final Comparator<BrokenTlsEntry> LISTING = Comparator
        .comparing(BrokenTlsEntry::key, BrokenTlsKey.ORDER);

    private final MetricFactory metricFactory;
    private final int maxEntries;
    private final Map<BrokenTlsKey, BrokenTlsEntry> entries = new HashMap<>();
    private long evictions;

    @Inject
    public BrokenTlsMemory(MetricFactory metricFactory) {
        this(metricFactory, DEFAULT_MAX_ENTRIES);
    }

    public BrokenTlsMemory(MetricFactory metricFactory, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.metricFactory = Objects.requireNonNull(metricFactory, "metricFactory");
        this.maxEntries = maxEntries;
    }

    /**
     * Remembers that the handshake with {@code key} failed at {@code now}, for {@code period}. A failure at an
     * endpoint already remembered replaces its entry (the period starts again; the use count restarts).
     */
    public synchronized BrokenTlsEntry remember(BrokenTlsKey key, String mxHost, String failure, Instant now,
                                                Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        if (!entries.containsKey(key) && entries.size() >= maxEntries) {
            makeRoom(now);
        }
        BrokenTlsEntry entry = new BrokenTlsEntry(key, mxHost, failure, now, now.plus(period), 0);
        entries.put(key, entry);
        metricFactory.generate(REMEMBERED_METRIC).increment();
        LOGGER.info("Remembering broken TLS: mx={} {} until={} failure={}", mxHost, key, entry.until(), failure);
        return entry;
    }

    /** The live entry for {@code key} at {@code now}; an expired one is dropped. Does not count as a use. */
    public synchronized Optional<BrokenTlsEntry> isRemembered(BrokenTlsKey key, Instant now) {
        BrokenTlsEntry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!entry.isLiveAt(now)) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    /** A delivery went to {@code entry}'s endpoint in plaintext because of it; counted if it is still remembered. */
    public synchronized void recordUse(BrokenTlsEntry entry) {
        BrokenTlsEntry counted = entries.computeIfPresent(entry.key(), (key, current) -> current.withUses(current.uses() + 1));
        metricFactory.generate(USED_METRIC).increment();
        LOGGER.info("Used remembered broken TLS: mx={} {} sent in plaintext without STARTTLS, until={} uses={}",
            entry.mxHost(), entry.key(), entry.until(), counted == null ? entry.uses() + 1 : counted.uses());
    }

    /** Forgets every entry for {@code address} (all ports and source addresses); returns how many. */
    public synchronized int forget(InetAddress address) {
        List<BrokenTlsKey> matching = entries.keySet().stream()
            .filter(key -> key.address().equals(address))
            .collect(Collectors.toList());
        matching.forEach(entries::remove);
        if (!matching.isEmpty()) {
            LOGGER.info("Forgot broken TLS for {}: {} entr{}", address.getHostAddress(), matching.size(),
                matching.size() == 1 ? "y" : "ies");
        }
        return matching.size();
    }

    /** Every entry still live at {@code now}, ordered by address, port and source; expired ones are dropped. */
    public synchronized List<BrokenTlsEntry> list(Instant now) {
        dropExpired(now);
        return entries.values().stream().sorted(LISTING).collect(Collectors.toUnmodifiableList());
    }

    public int maxEntries() {
        return maxEntries;
    }

    private void makeRoom(Instant now) {
        dropExpired(now);
        if (entries.size() < maxEntries) {
            return;
        }
        BrokenTlsEntry soonest = entries.values().stream()
            .min(Comparator.comparing(BrokenTlsEntry::until)).orElseThrow();
        entries.remove(soonest.key());
        metricFactory.generate(EVICTED_METRIC).increment();
        evictions++;
        // the first eviction, then one line per thousand: a flood of broken receivers must not flood the log too
        if (evictions % 1000 == 1) {
            LOGGER.warn("Broken-TLS memory full ({} entries): forgot {} before {} ({} forgotten early so far)",
                maxEntries, soonest.key(), soonest.until(), evictions);
        }
    }

    private void dropExpired(Instant now) {
        entries.values().removeIf(entry -> !entry.isLiveAt(now));
    }
}
