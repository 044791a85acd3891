package org.jamestls.mtasts;

import java.time.Instant;
import java.util.Objects;

import org.jamestls.names.HostNames;

/** A fetched policy with the TXT id it was fetched for and when: what the cache keeps per domain. */
public final class CachedPolicy {
    private final String domain;
    private final String id;
    private final MtaStsPolicy policy;
    private final Instant fetchedAt;

    public CachedPolicy(String domain, String id, MtaStsPolicy policy, Instant fetchedAt) {
        this.domain = HostNames.aLabelOrNormalized(domain);
        this.id = Objects.requireNonNull(id, "id");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.fetchedAt = Objects.requireNonNull(fetchedAt, "fetchedAt");
    }

    public String domain() {
        return domain;
    }

    public String id() {
        return id;
    }

    public MtaStsPolicy policy() {
        return policy;
    }

    public Instant fetchedAt() {
        return fetchedAt;
    }

    /** fetched-at + max_age: from then on the policy must not be applied (RFC 8461 §3.3). */
    public Instant expiresAt() {
        return fetchedAt.plus(policy.maxAge());
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CachedPolicy)) {
            return false;
        }
        CachedPolicy other = (CachedPolicy) o;
        return domain.equals(other.domain) && id.equals(other.id) && policy.equals(other.policy)
            && fetchedAt.equals(other.fetchedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, id, policy, fetchedAt);
    }

    @Override
    public String toString() {
        return domain + " id=" + id + " " + policy + " fetched " + fetchedAt;
    }
}
