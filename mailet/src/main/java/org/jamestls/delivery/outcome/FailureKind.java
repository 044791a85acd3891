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
            || this == PUBLISHED_POLICY;
    }
}
