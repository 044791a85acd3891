package org.jamestls.delivery.outcome;

import java.util.Optional;

import org.apache.james.core.MailAddress;

/** What happened to one recipient in one SMTP transaction. */
public final class RecipientOutcome {
    public enum Status { DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE }

    private final MailAddress recipient;
    private final Status status;
    private final Optional<DeliveryFailure> failure;

    private RecipientOutcome(MailAddress recipient, Status status, Optional<DeliveryFailure> failure) {
        this.recipient = recipient;
        this.status = status;
        this.failure = failure;
    }

    public static RecipientOutcome delivered(MailAddress recipient) {
        return new RecipientOutcome(recipient, Status.DELIVERED, Optional.empty());
    }

    public static RecipientOutcome failed(MailAddress recipient, DeliveryFailure failure) {
        Status status = failure.isPermanent() ? Status.PERMANENT_FAILURE : Status.TEMPORARY_FAILURE;
        return new RecipientOutcome(recipient, status, Optional.of(failure));
    }

    public MailAddress recipient() {
        return recipient;
    }

    public Status status() {
        return status;
    }

    public Optional<DeliveryFailure> failure() {
        return failure;
    }
}
