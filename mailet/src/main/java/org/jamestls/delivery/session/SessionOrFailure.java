package org.jamestls.delivery.session;

import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryFailure;

/** Either a session ready for a transaction, or why there is none (it could not be opened, or no slot was free). */
final class SessionOrFailure {
    private final Optional<SmtpSession> session;
    private final Optional<DeliveryFailure> failure;

    private SessionOrFailure(Optional<SmtpSession> session, Optional<DeliveryFailure> failure) {
        this.session = session;
        this.failure = failure;
    }

    static SessionOrFailure ready(SmtpSession session) {
        return new SessionOrFailure(Optional.of(session), Optional.empty());
    }

    static SessionOrFailure failed(DeliveryFailure failure) {
        return new SessionOrFailure(Optional.empty(), Optional.of(failure));
    }

    Optional<SmtpSession> session() {
        return session;
    }

    Optional<DeliveryFailure> failure() {
        return failure;
    }
}
