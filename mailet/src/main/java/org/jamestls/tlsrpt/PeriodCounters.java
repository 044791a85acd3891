package org.jamestls.tlsrpt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The counts of one period, updated by delivery threads. Existing counters cost a map lookup and a short lock on
 * the policy domain; new domains, policies and rows are admitted only within {@link TlsRptLimits}. The period's
 * end may move earlier once, when an operator cuts it ({@link #cut}); counting stops then.
 */
final class PeriodCounters {
    private final TlsRptLimits limits;
    private volatile ReportPeriod period;
    private volatile boolean running;
    private final ConcurrentMap<String, DomainCounters> domains = new ConcurrentHashMap<>();
    private final AtomicInteger domainCount = new AtomicInteger();
    private final AtomicInteger detailCount = new AtomicInteger();
    private final AtomicLong characters = new AtomicLong();
    private final AtomicLong droppedSessions = new AtomicLong();
    private final AtomicLong droppedDetails = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    /** Adds share it; cut and finish take it alone, so no add lands in a period after it stopped counting. */
    private final ReadWriteLock counting = new ReentrantReadWriteLock();

    PeriodCounters(ReportPeriod period, boolean running, TlsRptLimits limits) {
        this.period = period;
        this.running = running;
        this.limits = limits;
    }

    private static final class PolicyCounters {
        long successes;
        long failures;
        final Map<FailureDetail, long[]> details = new LinkedHashMap<>();
    }

    private final class DomainCounters {
        private final Map<ReportedPolicy, PolicyCounters> policies = new LinkedHashMap<>();
        private int detailRows;

        synchronized void add(ReportedPolicy policy, Optional<FailureDetail> failure, long count) {
            PolicyCounters counters = policies.get(policy);
            if (counters == null) {
                if (policies.size() >= limits.policiesPerDomain() || !reserveCharacters(policy.size())) {
                    droppedSessions.addAndGet(count);
                    return;
                }
                counters = new PolicyCounters();
                policies.put(policy, counters);
            }
            if (failure.isEmpty()) {
                counters.successes += count;
                return;
            }
            counters.failures += count;
            long[] row = counters.details.get(failure.get());
            if (row == null) {
                if (detailRows >= limits.detailsPerDomain() || !reserveDetail() || !reserveCharacters(failure.get().size())) {
                    droppedDetails.addAndGet(count);
                    return;
                }
                row = new long[1];
                counters.details.put(failure.get(), row);
                detailRows++;
            }
            row[0] += count;
        }

        synchronized void restore(DomainSnapshot saved) {
            for (PolicySnapshot policy : saved.policies()) {
                PolicyCounters counters = policies.computeIfAbsent(policy.policy(), p -> {
                    characters.addAndGet(p.size());
                    return new PolicyCounters();
                });
                counters.successes += policy.successfulSessions();
                counters.failures += policy.failedSessions();
                policy.failureDetails().forEach((detail, count) -> {
                    long[] row = counters.details.computeIfAbsent(detail, d -> {
                        detailRows++;
                        detailCount.incrementAndGet();
                        characters.addAndGet(d.size());
                        return new long[1];
                    });
                    row[0] += count;
                });
            }
        }

        synchronized DomainSnapshot snapshot(String domain) {
            List<PolicySnapshot> result = new ArrayList<>();
            policies.forEach((policy, counters) -> {
                Map<FailureDetail, Long> details = new LinkedHashMap<>();
                counters.details.forEach((detail, count) -> details.put(detail, count[0]));
                result.add(new PolicySnapshot(policy, counters.successes, counters.failures, details));
            });
            return new DomainSnapshot(domain, result);
        }
    }

    ReportPeriod period() {
        return period;
    }

    boolean isRunning() {
        return running;
    }

    /**
     * Counts {@code count} sessions of {@code policy}, failed with {@code failure} or successful.
     *
     * @return false when the period no longer counts (it was cut meanwhile): the caller takes the next one
     */
    boolean add(ReportedPolicy policy, Optional<FailureDetail> failure, long count) {
        counting.readLock().lock();
        try {
            if (!running) {
                return false;
            }
            if (policy.policyStrings().size() > limits.stringsPerPolicy() || policy.size() > limits.charactersPerPolicy()) {
                droppedSessions.addAndGet(count);
            } else {
                DomainCounters domain = domains.get(policy.policyDomain());
                if (domain == null) {
                    domain = admitDomain(policy.policyDomain());
                }
                if (domain == null) {
                    droppedSessions.addAndGet(count);
                } else {
                    domain.add(policy, failure, count);
                }
            }
            changes.incrementAndGet();
            return true;
        } finally {
            counting.readLock().unlock();
        }
    }

    private DomainCounters admitDomain(String name) {
        if (domainCount.incrementAndGet() > limits.domainsPerPeriod() || !reserveCharacters(name.length())) {
            domainCount.decrementAndGet();
            return domains.get(name); // another thread may have admitted it meanwhile
        }
        DomainCounters fresh = new DomainCounters();
        DomainCounters raced = domains.putIfAbsent(name, fresh);
        if (raced != null) {
            domainCount.decrementAndGet();
            characters.addAndGet(-name.length());
            return raced;
        }
        return fresh;
    }

    private boolean reserveDetail() {
        if (detailCount.incrementAndGet() > limits.detailsPerPeriod()) {
            detailCount.decrementAndGet();
            return false;
        }
        return true;
    }

    private boolean reserveCharacters(long amount) {
        if (characters.addAndGet(amount) > limits.charactersPerPeriod()) {
            characters.addAndGet(-amount);
            return false;
        }
        return true;
    }

    /** Stops counting and moves the end to {@code at}; once it returns, no session is added any more. */
    void cut(Instant at) {
        counting.writeLock().lock();
        try {
            period = period.endingAt(at);
            running = false;
            changes.incrementAndGet();
        } finally {
            counting.writeLock().unlock();
        }
    }

    /** Stops counting at the period's own end (midnight passed); once it returns, no session is added any more. */
    void finish() {
        counting.writeLock().lock();
        try {
            running = false;
        } finally {
            counting.writeLock().unlock();
        }
    }

    /** Puts back what a snapshot written to disk held (into fresh counters, before any add). */
    void restore(PeriodSnapshot saved) {
        saved.domains().forEach((name, domain) -> {
            DomainCounters counters = domains.computeIfAbsent(name, n -> {
                domainCount.incrementAndGet();
                characters.addAndGet(n.length());
                return new DomainCounters();
            });
            counters.restore(domain);
        });
        droppedSessions.addAndGet(saved.droppedSessions());
        droppedDetails.addAndGet(saved.droppedDetails());
    }

    /** A number that grows with every change: the store writes the period when it differs from the last written. */
    long changes() {
        return changes.get();
    }

    PeriodSnapshot snapshot() {
        Map<String, DomainSnapshot> result = new LinkedHashMap<>();
        domains.forEach((name, counters) -> result.put(name, counters.snapshot(name)));
        return new PeriodSnapshot(period, running, result, droppedSessions.get(), droppedDetails.get());
    }
}
