package org.jamestls.mtasts;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link MtaStsPolicySource#lookup} found for a domain: no policy, a policy to apply, or a failure to fetch
 * one (which delivery treats like no policy, but reports). Immutable.
 */
public final class MtaStsLookup {
    public enum State {
        /** No policy applies: none announced and none cached, or the policy's mode is {@code none}. */
        NONE,
        /** {@link #policy()} is an {@code enforce} or {@code testing} policy to apply. */
        POLICY,
        /** A policy is announced but could not be fetched, and none is cached: no policy, with a reason. */
        FETCH_FAILED
    }

    /** Why a {@link State#FETCH_FAILED} lookup has no policy, in the terms of RFC 8460's result types. */
    public enum FetchProblem {
        /** The policy host could not be reached or did not serve the policy (DNS, TCP, HTTP, size or time limits). */
        FETCH_ERROR,
        /** The policy host's certificate failed PKIX or host name validation. */
        WEBPKI_INVALID,
        /** A body was fetched but it is not a valid policy. */
        POLICY_INVALID
    }

    private final String domain;
    private final State state;
    private final Optional<CachedPolicy> cached;
    private final boolean fromCache;
    private final Optional<String> note;
    private final Optional<FetchProblem> fetchProblem;

    private MtaStsLookup(String domain, State state, Optional<CachedPolicy> cached, boolean fromCache,
                         Optional<String> note, Optional<FetchProblem> fetchProblem) {
        this.domain = domain;
        this.state = state;
        this.cached = cached;
        this.fromCache = fromCache;
        this.note = note;
        this.fetchProblem = fetchProblem;
    }

    /** No policy announced nor cached; {@code reason} e.g. "no v=STSv1 TXT record". */
    static MtaStsLookup none(String domain, String reason) {
        return new MtaStsLookup(domain, State.NONE, Optional.empty(), false, Optional.of(reason), Optional.empty());
    }

    static MtaStsLookup fetchFailed(String domain, String reason, FetchProblem problem) {
        return new MtaStsLookup(domain, State.FETCH_FAILED, Optional.empty(), false, Optional.of(reason),
            Optional.of(problem));
    }

    /**
     * A policy from a fetch or the cache; {@code mode: none} gives {@link State#NONE} with the policy still
     * visible. {@code note}: e.g. why a refresh failed while the cached policy was kept.
     */
    static MtaStsLookup of(CachedPolicy policy, boolean fromCache, Optional<String> note) {
        State state = policy.policy().mode() == MtaStsMode.NONE ? State.NONE : State.POLICY;
        return new MtaStsLookup(policy.domain(), state, Optional.of(policy), fromCache, note, Optional.empty());
    }

    /** The recipient domain, normalised (A-labels, lower case). */
    public String domain() {
        return domain;
    }

    public State state() {
        return state;
    }

    /** The policy found, also for {@code mode: none}; empty when none was fetched or cached. */
    public Optional<MtaStsPolicy> policy() {
        return cached.map(CachedPolicy::policy);
    }

    /** The TXT id the policy was fetched under. */
    public Optional<String> policyId() {
        return cached.map(CachedPolicy::id);
    }

    /** The policy with its id and fetch time. */
    public Optional<CachedPolicy> cachedPolicy() {
        return cached;
    }

    /** Whether the policy came from the cache rather than a fetch during this lookup. */
    public boolean fromCache() {
        return fromCache;
    }

    /** For {@link State#FETCH_FAILED}: what kind of failure it was (for TLS reports); empty otherwise. */
    public Optional<FetchProblem> fetchProblem() {
        return fetchProblem;
    }

    /** Why there is no policy, why fetching failed, or what went wrong while a cached policy was kept. */
    public Optional<String> note() {
        return note;
    }

    /** A policy in {@code enforce} mode applies: only matching MX hosts, only over verified TLS. */
    public boolean isEnforce() {
        return state == State.POLICY && cached.get().policy().mode() == MtaStsMode.ENFORCE;
    }

    /** A policy in {@code testing} mode applies: deliver as usual, report what enforce would refuse. */
    public boolean isTesting() {
        return state == State.POLICY && cached.get().policy().mode() == MtaStsMode.TESTING;
    }

    /** Whether the applying policy lists this MX host; false when no policy applies. */
    public boolean matches(String mxHost) {
        return state == State.POLICY && cached.get().policy().matches(mxHost);
    }

    /**
     * One line for logs and DSNs, e.g. {@code mta-sts enforce id=20261126 mx=[*.example.com] max_age=604800
     * (cached, fetch failed: mta-sts.example.com: HTTP 404)} or {@code mta-sts none (no v=STSv1 TXT record)}.
     */
    public String describe() {
        StringBuilder s = new StringBuilder("mta-sts ");
        if (cached.isPresent()) {
            CachedPolicy c = cached.get();
            MtaStsPolicy p = c.policy();
            s.append(p.mode() == MtaStsMode.NONE ? "mode none" : p.mode().keyword())
                .append(" id=").append(c.id()).append(" mx=").append(p.mxPatterns())
                .append(" max_age=").append(p.maxAge().getSeconds())
                .append(" (").append(fromCache ? "cached" : "fetched");
            note.ifPresent(n -> s.append(", ").append(n));
            return s.append(')').toString();
        }
        if (state == State.FETCH_FAILED) {
            return s.append("fetch failed: ").append(note.orElse("?")).toString();
        }
        return s.append("none (").append(note.orElse("no policy")).append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MtaStsLookup)) {
            return false;
        }
        MtaStsLookup other = (MtaStsLookup) o;
        return domain.equals(other.domain) && state == other.state && cached.equals(other.cached)
            && fromCache == other.fromCache && note.equals(other.note) && fetchProblem.equals(other.fetchProblem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, state, cached, fromCache, note, fetchProblem);
    }

    @Override
    public String toString() {
        return domain + ": " + describe();
    }
}
