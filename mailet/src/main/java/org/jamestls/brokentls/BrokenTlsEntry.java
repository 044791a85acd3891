package org.jamestls.brokentls;

import java.time.Instant;
import java.util.Objects;

/**
 * One remembered broken handshake: the endpoint, the MX host name it was dialled as, what failed, when, until when
 * it is remembered, and how many deliveries used it (went in plaintext without trying TLS) so far. Immutable: a
 * snapshot taken by {@link BrokenTlsMemory}.
 */
public final class BrokenTlsEntry {
    private final BrokenTlsKey key;
    private final String mxHost;
    private final String failure;
    private final Instant failedAt;
    private final Instant until;
    private final long uses;

    BrokenTlsEntry(BrokenTlsKey key, String mxHost, String failure, Instant failedAt, Instant until, long uses) {
        this.key = Objects.requireNonNull(key, "key");
        this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
        this.failure = Objects.requireNonNull(failure, "failure");
        this.failedAt = Objects.requireNonNull(failedAt, "failedAt");
        this.until = Objects.requireNonNull(until, "until");
        this.uses = uses;
    }

    public BrokenTlsKey key() {
        return key;
    }

    public String mxHost() {
        return mxHost;
    }

    /** What failed, e.g. {@code handshake failed: Received fatal alert: handshake_failure (4.7.5)}. */
    public String failure() {
        return failure;
    }

    public Instant failedAt() {
        return failedAt;
    }

    /** The first instant at which the entry no longer counts. */
    public Instant until() {
        return until;
    }

    public long uses() {
        return uses;
    }

    public boolean isLiveAt(Instant now) {
        return now.isBefore(until);
    }

    BrokenTlsEntry withUses(long count) {
        return new BrokenTlsEntry(key, mxHost, failure, failedAt, until, count);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BrokenTlsEntry)) {
            return false;
        }
        BrokenTlsEntry other = (BrokenTlsEntry) o;
        return key.equals(other.key) && mxHost.equals(other.mxHost) && failure.equals(other.failure)
            && failedAt.equals(other.failedAt) && until.equals(other.until) && uses == other.uses;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, mxHost, failure, failedAt, until, uses);
    }

    @Override
    public String toString() {
        return mxHost + " " + key + " failed at " + failedAt + " (" + failure + "), remembered until " + until
            + ", used " + uses + "x";
    }
}
