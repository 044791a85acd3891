package org.jamestls.tlsrpt;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one policy domain's report for one period stands: its report-id (fixed at the first attempt, so a retry or
 * a restart sends the same id and receivers can drop duplicates) and, per rua destination, whether it was sent, is
 * to be retried, or was given up. Immutable; the sender writes each new state to the period's journal.
 */
public final class DomainDelivery {
    public enum Status {
        /** Not finished: some destination is still to be tried (or the TLSRPT lookup failed). */
        PENDING,
        /** Every destination was sent to or given up. */
        DONE,
        /** The domain publishes no (usable) TLSRPT record: nothing to send. */
        NO_RECORD
    }

    public enum DestinationState { SENT, RETRY, FAILED }

    /** One rua's state. */
    public static final class Destination {
        private final DestinationState state;
        private final int attempts;
        private final Optional<Instant> nextAttempt;
        private final Optional<String> lastError;

        Destination(DestinationState state, int attempts, Optional<Instant> nextAttempt, Optional<String> lastError) {
            this.state = Objects.requireNonNull(state);
            this.attempts = attempts;
            this.nextAttempt = nextAttempt;
            this.lastError = lastError;
        }

        public DestinationState state() {
            return state;
        }

        public int attempts() {
            return attempts;
        }

        public Optional<Instant> nextAttempt() {
            return nextAttempt;
        }

        public Optional<String> lastError() {
            return lastError;
        }

        public boolean isFinal() {
            return state != DestinationState.RETRY;
        }
    }

    private final String policyDomain;
    private final String reportId;
    private final Status status;
    private final Instant firstAttempt;
    private final Optional<Instant> nextAttempt;
    private final Optional<String> note;
    private final Map<String, Destination> destinations;

    DomainDelivery(String policyDomain, String reportId, Status status, Instant firstAttempt,
                   Optional<Instant> nextAttempt, Optional<String> note, Map<String, Destination> destinations) {
        this.policyDomain = policyDomain;
        this.reportId = reportId;
        this.status = status;
        this.firstAttempt = firstAttempt;
        this.nextAttempt = nextAttempt;
        this.note = note;
        this.destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    }

    public String policyDomain() {
        return policyDomain;
    }

    public String reportId() {
        return reportId;
    }

    public Status status() {
        return status;
    }

    public boolean isFinal() {
        return status != Status.PENDING;
    }

    public Instant firstAttempt() {
        return firstAttempt;
    }

    /** When the sender tries again (the earliest destination retry, or a failed TLSRPT lookup's). */
    public Optional<Instant> nextAttempt() {
        return nextAttempt;
    }

    /** The TLSRPT lookup's description or why it failed. */
    public Optional<String> note() {
        return note;
    }

    /** By rua URI as published. */
    public Map<String, Destination> destinations() {
        return destinations;
    }

    public Optional<Destination> destination(String rua) {
        return Optional.ofNullable(destinations.get(rua));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(policyDomain).append(' ').append(status.name().toLowerCase(java.util.Locale.ROOT));
        destinations.forEach((rua, d) -> s.append(' ').append(rua).append('=').append(d.state().name().toLowerCase(
            java.util.Locale.ROOT)));
        note.ifPresent(n -> s.append(" (").append(n).append(')'));
        return s.toString();
    }
}
