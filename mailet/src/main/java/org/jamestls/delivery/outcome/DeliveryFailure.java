package org.jamestls.delivery.outcome;

/**
 * A failure with its RFC 3463 enhanced status and a text that names the MX and what went wrong,
 * ready for the log line and the DSN.
 */
public final class DeliveryFailure {
    private final FailureKind kind;
    private final String enhancedStatus;
    private final String detail;

    public DeliveryFailure(FailureKind kind, String enhancedStatus, String detail) {
        this.kind = kind;
        this.enhancedStatus = enhancedStatus;
        this.detail = detail.replaceAll("[\\r\\n]+", " ");
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

    /** Value equality: recipients with the same answer share one DSN. */
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
