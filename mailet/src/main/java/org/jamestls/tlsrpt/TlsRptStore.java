package org.jamestls.tlsrpt;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS report counters per period (a UTC day, or a part of one cut by an operator) and policy domain and policy:
 * successful sessions, failed sessions and failure-details rows (RFC 8460 §4.4). Delivery threads call
 * {@link #success} or {@link #failure} once per attempt; that costs a clock read, a map lookup and a short lock on
 * the policy domain, and never touches the disk. Bounded by {@link TlsRptLimits} per period.
 *
 * <p>Persistence: one {@code counters-<start>.json} per period under the directory (James's {@code var/tlsrpt} by
 * default), rewritten atomically by {@link #flush()} when its counts changed; the service flushes every
 * {@link #FLUSH_INTERVAL} and at shutdown. A crash therefore loses at most the counts of the last
 * {@link #FLUSH_INTERVAL} (30 s). At start-up every period file is read back; the period containing "now" goes on
 * counting. Each period also has a {@code sent-<start>.log} delivery journal ({@link DeliveryJournal}). A period is
 * deleted ({@link #remove}) once all its reports are done, and in any case {@link #MAX_AGE} after its end.
 */
public final class TlsRptStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRptStore.class);
    public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(30);
    /** Unsent periods older than this are dropped: RFC 8460 §5.5 retries reports for 24 hours, no longer. */
    public static final Duration MAX_AGE = Duration.ofDays(3);
    private static final String COUNTERS = "counters-";
    private static final String JOURNAL = "sent-";

    private final Path directory;
    private final Clock clock;
    private final TlsRptLimits limits;
    private volatile PeriodCounters current;
    /** Finished periods (midnight passed, or cut), by start. */
    private final Map<Instant, PeriodCounters> finished = new ConcurrentHashMap<>();
    /** The change count each period had when last written. */
    private final Map<Instant, Long> written = new ConcurrentHashMap<>();
    private final Map<Instant, DeliveryJournal> journals = new ConcurrentHashMap<>();

    private TlsRptStore(Path directory, Clock clock, TlsRptLimits limits) {
        this.directory = directory;
        this.clock = clock;
        this.limits = limits;
    }

    /** Reads every period file under {@code directory} (created if missing); unreadable files are logged and left. */
    public static TlsRptStore open(Path directory, Clock clock, TlsRptLimits limits) throws IOException {
        Files.createDirectories(directory);
        TlsRptStore store = new TlsRptStore(directory, clock, limits);
        Instant now = clock.instant();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, COUNTERS + "*.json")) {
            for (Path file : files) {
                try {
                    store.restore(CounterFile.read(file), now);
                } catch (IOException e) {
                    LOGGER.warn("Ignoring unreadable TLS report counters {}: {}", file, e.getMessage());
                }
            }
        }
        store.deleteLeftovers();
        synchronized (store) {
            if (store.current == null) {
                store.current = new PeriodCounters(ReportPeriod.restOfDay(ReportPeriod.midnightBefore(now)), true, limits);
            }
        }
        return store;
    }

    /** A crash can leave a temporary file, or a journal whose counters were already deleted: neither is needed. */
    private void deleteLeftovers() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.tmp")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, JOURNAL + "*.log")) {
            for (Path file : files) {
                String start = file.getFileName().toString().substring(JOURNAL.length()).replace(".log", "");
                if (!Files.exists(directory.resolve(COUNTERS + start + ".json"))) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private synchronized void restore(PeriodSnapshot saved, Instant now) {
        boolean running = saved.isRunning() && saved.period().contains(now) && current == null;
        PeriodCounters counters = new PeriodCounters(saved.period(), running, limits);
        counters.restore(saved);
        if (running) {
            current = counters;
        } else {
            counters.finish();
            finished.put(saved.period().start(), counters);
        }
        written.put(saved.period().start(), counters.changes());
    }

    /** One session that negotiated TLS as the policy demands. */
    public void success(ReportedPolicy policy) {
        record(policy, Optional.empty());
    }

    /** One session that failed as {@code detail} says. */
    public void failure(ReportedPolicy policy, FailureDetail detail) {
        record(policy, Optional.of(detail));
    }

    public void record(ReportedPolicy policy, Optional<FailureDetail> failure) {
        while (!running(clock.instant()).add(policy, failure, 1)) {
            // the period was cut between our read and the add: count in the next one
        }
    }

    /** The counting period for {@code now}, rolling over at midnight. */
    private PeriodCounters running(Instant now) {
        PeriodCounters counting = current;
        if (counting.isRunning() && !counting.period().isFinishedAt(now)) {
            return counting;
        }
        return rollOver(now);
    }

    private synchronized PeriodCounters rollOver(Instant now) {
        PeriodCounters counting = current;
        if (counting.isRunning() && !counting.period().isFinishedAt(now)) {
            return counting;
        }
        counting.finish();
        finished.put(counting.period().start(), counting);
        Instant start = counting.period().end().isAfter(ReportPeriod.midnightBefore(now))
            ? counting.period().end() : ReportPeriod.midnightBefore(now);
        current = new PeriodCounters(ReportPeriod.restOfDay(start), true, limits);
        return current;
    }

    /**
     * Ends the running period now (an operator's "send today's counts so far") and starts the next one at the same
     * second, so each session is in exactly one report.
     *
     * @return the period just ended; empty when it started this very second (nothing to cut)
     */
    public synchronized Optional<ReportPeriod> cut() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        PeriodCounters counting = running(now);
        if (!now.isAfter(counting.period().start())) {
            return Optional.empty();
        }
        counting.cut(now);
        finished.put(counting.period().start(), counting);
        current = new PeriodCounters(ReportPeriod.restOfDay(now), true, limits);
        return Optional.of(counting.period());
    }

    /** Periods whose counting has ended (midnight passed, or cut), oldest first. */
    public List<ReportPeriod> finishedPeriods() {
        running(clock.instant());
        List<ReportPeriod> periods = new ArrayList<>();
        new TreeMap<>(finished).values().forEach(counters -> periods.add(counters.period()));
        return periods;
    }

    public Optional<PeriodSnapshot> snapshot(ReportPeriod period) {
        PeriodCounters counters = finished.get(period.start());
        if (counters == null && current.period().start().equals(period.start())) {
            counters = current;
        }
        return Optional.ofNullable(counters).map(PeriodCounters::snapshot);
    }

    /** Every period held, oldest first, the running one last. */
    public List<PeriodSnapshot> snapshots() {
        PeriodCounters counting = running(clock.instant());
        List<PeriodSnapshot> result = new ArrayList<>();
        new TreeMap<>(finished).values().forEach(counters -> result.add(counters.snapshot()));
        result.add(counting.snapshot());
        return result;
    }

    /** Writes every period whose counts changed since it was last written. */
    public synchronized void flush() throws IOException {
        List<PeriodCounters> all = new ArrayList<>(finished.values());
        all.add(current);
        IOException first = null;
        for (PeriodCounters counters : all) {
            long changes = counters.changes();
            Long last = written.get(counters.period().start());
            if (last != null && last == changes) {
                continue;
            }
            try {
                CounterFile.write(countersFile(counters.period()), counters.snapshot());
                written.put(counters.period().start(), changes);
            } catch (IOException e) {
                LOGGER.warn("Cannot write TLS report counters of {} to {}: {}", counters.period(), directory, e.toString());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The delivery journal of a finished period. */
    DeliveryJournal journal(ReportPeriod period) throws IOException {
        DeliveryJournal journal = journals.get(period.start());
        if (journal == null) {
            journal = DeliveryJournal.open(directory.resolve(JOURNAL + period.compactStart() + ".log"));
            DeliveryJournal raced = journals.putIfAbsent(period.start(), journal);
            journal = raced == null ? journal : raced;
        }
        return journal;
    }

    /** Forgets a finished period and deletes its files (its reports are done, or it is too old). */
    public synchronized void remove(ReportPeriod period) throws IOException {
        finished.remove(period.start());
        written.remove(period.start());
        journals.remove(period.start());
        Files.deleteIfExists(countersFile(period));
        Files.deleteIfExists(directory.resolve(JOURNAL + period.compactStart() + ".log"));
    }

    public Path directory() {
        return directory;
    }

    public TlsRptLimits limits() {
        return limits;
    }

    private Path countersFile(ReportPeriod period) {
        return directory.resolve(COUNTERS + period.compactStart() + ".json");
    }
}
