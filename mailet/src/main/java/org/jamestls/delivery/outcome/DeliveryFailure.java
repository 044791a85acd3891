package org.jamestls.delivery.outcome;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jamestls.tlsrpt.TlsProblem;

/**
 * A failure with its RFC 3463 enhanced status and a text that names the MX and what went wrong,
 * ready for the log line and the DSN. A TLS failure also carries the {@link TlsProblem} its producer saw (the
 * evidence a TLS report classifies), which is not part of its value: recipients with the same answer share a DSN.
 */
public final class DeliveryFailure {
    private final FailureKind kind;
    private final String enhancedStatus;
    private final String detail;
    private final Optional<TlsProblem> tlsProblem;

    public DeliveryFailure(FailureKind kind, String enhancedStatus, String detail) {
        this(kind, enhancedStatus, detail.replaceAll("[\\r\\n]+", " "), Optional.empty());
    }

    private DeliveryFailure(FailureKind kind, String enhancedStatus, String detail, Optional<TlsProblem> tlsProblem) {
        this.kind = kind;
        this.enhancedStatus = enhancedStatus;
        this.detail = detail;
        this.tlsProblem = tlsProblem;
    }

    /** The same failure with what went wrong in TLS, for TLS reporting (RFC 8460). */
    public DeliveryFailure withTlsProblem(TlsProblem problem) {
        return new DeliveryFailure(kind, enhancedStatus, detail, Optional.of(problem));
    }

    /** Present when the failure point knew it was a TLS problem (set by SessionOpener and the planner's refusals). */
    public Optional<TlsProblem> tlsProblem() {
        return tlsProblem;
    }

    public FailureKind kind() {
        return kind;
    }

    public String enhancedStatus() {
        return enhancedStatus;
    }

    public String detail() {
        return detail;
    }

    public boolean isPermanent() {
        return enhancedStatus.startsWith("5");
    }

    /**
     * What stands for a domain none of whose MX took the mail, from the failures in the order tried: the last
     * temporary one when there is one (that MX may work on a later try), else the permanent ones together (each MX
     * one that cannot ever take this mail, e.g. none meets its REQUIRETLS), with the last one's kind and status.
     */
    public static DeliveryFailure ofAllAttempts(List<DeliveryFailure> attempts) {
        if (attempts.isEmpty()) {
            throw new IllegalArgumentException("no attempt failed");
        }
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (!attempts.get(i).isPermanent()) {
                return attempts.get(i);
            }
        }
        DeliveryFailure last = attempts.get(attempts.size() - 1);
        return attempts.size() == 1 ? last : new DeliveryFailure(last.kind, last.enhancedStatus,
            attempts.stream().map(DeliveryFailure::detail).distinct().collect(Collectors.joining("; ")));
    }

    /** Value equality (the TLS problem aside): recipients with the same answer share one DSN. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeliveryFailure)) {
            return false;
        }
        DeliveryFailure other = (DeliveryFailure) o;
        return kind == other.kind && enhancedStatus.equals(other.enhancedStatus) && detail.equals(other.detail);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, enhancedStatus, detail);
    }

    @Override
    public String toString() {
        return detail + " (" + enhancedStatus + ")";
    }
}
