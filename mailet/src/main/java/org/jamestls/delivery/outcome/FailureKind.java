package org.jamestls.delivery.outcome;

/** Why an attempt failed, in the terms operators and metrics use. */
public enum FailureKind {
    DNS("dns"),
    CONNECTION("connection-failed"),
    GREETING_REJECTED("greeting-rejected"),
    STARTTLS_NOT_OFFERED("starttls-missing"),
    TLS_NEGOTIATION("handshake-failed"),
    TLS_VERIFICATION("verify-failed"),
    PROTOCOL("protocol-error"),
    SENDER_REJECTED("sender-rejected"),
    RECIPIENT_REJECTED("recipient-rejected"),
    MESSAGE_REJECTED("message-rejected"),
    /** The receiver's published policy (MTA-STS, DANE) forbids this MX or its DNSSEC answer is unusable. */
    PUBLISHED_POLICY("published-policy"),
    /** The receiver's EHLO after STARTTLS did not offer REQUIRETLS, which the mail asked for (RFC 8689): 5.7.30. */
    REQUIRETLS_MISSING("requiretls-missing"),
    /**
     * This MX does not meet the sender's REQUIRETLS (RFC 8689 section 4.2.1): not found securely (DNSSEC, MTA-STS), no
     * verified TLS, or no REQUIRETLS offered. Permanent (5.7.30): another MX may qualify, none is ever tried weaker;
     * temporary (4.7.5) only while an MTA-STS policy the domain announces cannot be fetched.
     */
    REQUIRETLS("requiretls"),
    /**
     * A timeout or a lost connection after the final dot was sent and before its reply: the receiver may have the mail.
     * Deferred (4.4.2), never tried on another MX in the same run; counted in {@code jamestls_ambiguous_after_dot}.
     */
    AMBIGUOUS_AFTER_DOT("ambiguous-after-dot"),
    /** A bug or an unexpected state in James or this mailet: retried on the schedule like any 4xx. */
    INTERNAL("internal-error");

    private final String label;

    FailureKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isTls() {
        return this == STARTTLS_NOT_OFFERED || this == TLS_NEGOTIATION || this == TLS_VERIFICATION
            || this == PUBLISHED_POLICY || isRequireTls();
    }

    /** A failure to meet the sender's REQUIRETLS: its DSN says 5.7.30. */
    public boolean isRequireTls() {
        return this == REQUIRETLS || this == REQUIRETLS_MISSING;
    }
}
