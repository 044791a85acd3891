package org.jamestls.mtasts;

import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.jamestls.cache.TimedCache;
import org.jamestls.mtasts.MtaStsLookup.FetchProblem;
import org.jamestls.mtasts.MtaStsTxtRecord.Announcement;
import org.jamestls.names.HostNames;

/**
 * The MTA-STS policy to apply to a recipient domain (RFC 8461 §3.3, §5.1), for delivery code:
 * <ul>
 * <li>a cached, unexpired policy is used while the TXT id is unchanged, and also when there is no TXT record or
 *     the lookup fails (a policy outlives the announcement going missing); near its expiry a refresh is tried;</li>
 * <li>a new id, or no cached policy, means fetching; a failed fetch keeps the cached policy if there is one;</li>
 * <li>without a cached policy, a failed fetch is {@link MtaStsLookup.State#FETCH_FAILED} (treated as no policy).</li>
 * </ul>
 * A failed fetch for a domain and id is remembered for {@code failureMemory}, so that a burst of mail to a domain
 * whose policy host is down costs one fetch timeout, not one per mail. Safe for concurrent lookups; two lookups of
 * the same domain may both fetch, and the cache keeps the later fetch.
 */
public final class MtaStsPolicySource {
    public static final Duration DEFAULT_FAILURE_MEMORY = Duration.ofMinutes(5);
    /** Refresh when less than min(max_age / 8, this) is left. */
    static final Duration REFRESH_AT_MOST_BEFORE_EXPIRY = Duration.ofDays(1);

    private final DNSService dns;
    private final PolicyFetcher fetcher;
    private final MtaStsPolicyCache cache;
    private final Clock clock;
    private final Duration failureMemory;
    /** Failed fetches by domain, each kept {@code failureMemory}; at most this many domains. */
    public static final int MAX_REMEMBERED_FAILURES = 10_000;
    private final TimedCache<String, FailedFetch> failures;
    /**
     * Domains seen without an MTA-STS TXT record, for {@link #NO_ANNOUNCEMENT_MEMORY}: most domains publish
     * none, and asking DNS again for every mail costs a lookup per mail (and, with resolvers that return
     * NXDOMAIN without an SOA, nothing caches the answer). A new policy is noticed within this time. At most
     * {@link #MAX_REMEMBERED_NO_ANNOUNCEMENTS} domains (the least recently asked leave first: their next mail costs
     * one TXT lookup).
     */
    private final TimedCache<String, Boolean> noAnnouncement;
    static final Duration NO_ANNOUNCEMENT_MEMORY = Duration.ofSeconds(60);
    public static final int MAX_REMEMBERED_NO_ANNOUNCEMENTS = 10_000;

    public MtaStsPolicySource(DNSService dns, PolicyFetcher fetcher, MtaStsPolicyCache cache, Clock clock) {
        this(dns, fetcher, cache, clock, DEFAULT_FAILURE_MEMORY);
    }

    /** @param failureMemory how long a failed fetch is not retried for the same domain and id; zero = always retry */
    public MtaStsPolicySource(DNSService dns, PolicyFetcher fetcher, MtaStsPolicyCache cache, Clock clock,
                              Duration failureMemory) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.cache = cache;
        this.clock = clock;
        this.failureMemory = failureMemory;
        this.failures = TimedCache.create(MAX_REMEMBERED_FAILURES, failureMemory.isZero() ? Duration.ofSeconds(1)
            : failureMemory, clock);
        this.noAnnouncement = TimedCache.create(MAX_REMEMBERED_NO_ANNOUNCEMENTS, NO_ANNOUNCEMENT_MEMORY, clock);
    }

    private static final class FailedFetch {
        final String id;
        final String reason;
        final FetchProblem problem;
        final Instant retryAfter;

        FailedFetch(String id, String reason, FetchProblem problem, Instant retryAfter) {
            this.id = id;
            this.reason = reason;
            this.problem = problem;
            this.retryAfter = retryAfter;
        }
    }

    /** Either a policy just fetched or why fetching failed. */
    private static final class Fetched {
        final Optional<CachedPolicy> policy;
        final String failure;
        final FetchProblem problem;

        Fetched(Optional<CachedPolicy> policy, String failure, FetchProblem problem) {
            this.policy = policy;
            this.failure = failure;
            this.problem = problem;
        }
    }

    public MtaStsLookup lookup(String recipientDomain) {
        String domain = HostNames.aLabelOrNormalized(recipientDomain);
        Instant now = clock.instant();
        Optional<CachedPolicy> cached = cache.get(domain, now);
        if (cached.isEmpty() && noAnnouncement.get(domain).isPresent()) {
            return MtaStsLookup.none(domain, "no v=STSv1 TXT record (looked up less than "
                + NO_ANNOUNCEMENT_MEMORY.toSeconds() + " s ago)");
        }
        Announcement announcement = announcement(domain);
        Optional<String> announcedId = announcement.record().map(MtaStsTxtRecord::id);
        if (announcedId.isEmpty()) {
            noAnnouncement.put(domain, Boolean.TRUE, NO_ANNOUNCEMENT_MEMORY);
        } else {
            noAnnouncement.remove(domain);
        }

        if (cached.isEmpty()) {
            if (announcedId.isEmpty()) {
                return MtaStsLookup.none(domain, announcement.description());
            }
            Fetched fetched = fetch(domain, announcedId.get(), now);
            return fetched.policy.map(policy -> MtaStsLookup.of(policy, false, Optional.empty()))
                .orElseGet(() -> MtaStsLookup.fetchFailed(domain, fetched.failure, fetched.problem));
        }

        CachedPolicy current = cached.get();
        if (announcedId.isPresent() && !announcedId.get().equals(current.id())) {
            return fetchOrKeep(domain, announcedId.get(), current, now, "new id " + announcedId.get());
        }
        if (nearExpiry(current, now)) {
            // Without a TXT record, refresh under the cached id (the RFC lets senders refresh proactively).
            return fetchOrKeep(domain, announcedId.orElse(current.id()), current, now, "refresh");
        }
        Optional<String> note = announcedId.isPresent() ? Optional.empty()
            : Optional.of("TXT: " + announcement.description());
        return MtaStsLookup.of(current, true, note);
    }

    private MtaStsLookup fetchOrKeep(String domain, String id, CachedPolicy current, Instant now, String why) {
        Fetched fetched = fetch(domain, id, now);
        if (fetched.policy.isPresent()) {
            return MtaStsLookup.of(fetched.policy.get(), false, Optional.empty());
        }
        return MtaStsLookup.of(current, true, Optional.of(why + ": fetch failed: " + fetched.failure));
    }

    private Fetched fetch(String domain, String id, Instant now) {
        FailedFetch failed = failures.get(domain).orElse(null);
        if (failed != null && failed.id.equals(id) && now.isBefore(failed.retryAfter)) {
            return new Fetched(Optional.empty(), failed.reason + " (not retried before " + failed.retryAfter + ")",
                failed.problem);
        }
        String failure;
        FetchProblem problem;
        try {
            MtaStsPolicy policy = MtaStsPolicy.parse(fetcher.fetch(domain));
            CachedPolicy fresh = new CachedPolicy(domain, id, policy, now);
            cache.put(fresh);
            failures.remove(domain);
            return new Fetched(Optional.of(fresh), null, null);
        } catch (MtaStsFetchException e) {
            failure = e.getMessage();
            problem = causedByCertificate(e) ? FetchProblem.WEBPKI_INVALID : FetchProblem.FETCH_ERROR;
        } catch (MtaStsParseException e) {
            failure = "invalid policy: " + e.getMessage();
            problem = FetchProblem.POLICY_INVALID;
        } catch (RuntimeException e) {
            failure = e.toString();
            problem = FetchProblem.FETCH_ERROR;
        }
        if (!failureMemory.isZero()) {
            failures.put(domain, new FailedFetch(id, failure, problem, now.plus(failureMemory)), failureMemory);
        }
        return new Fetched(Optional.empty(), failure, problem);
    }

    /** The JSSE wraps a rejected certificate (CA, name, dates) in the handshake exception it throws. */
    private static boolean causedByCertificate(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private Announcement announcement(String domain) {
        try {
            Collection<String> records = dns.findTXTRecords(Domains.txtName(domain));
            return MtaStsTxtRecord.announced(records == null ? java.util.List.of() : records);
        } catch (RuntimeException e) {
            return Announcement.nothing("TXT lookup failed: " + e.getMessage());
        }
    }

    static boolean nearExpiry(CachedPolicy policy, Instant now) {
        Duration eighth = policy.policy().maxAge().dividedBy(8);
        Duration window = eighth.compareTo(REFRESH_AT_MOST_BEFORE_EXPIRY) < 0 ? eighth : REFRESH_AT_MOST_BEFORE_EXPIRY;
        return Duration.between(now, policy.expiresAt()).compareTo(window) < 0;
    }
}
