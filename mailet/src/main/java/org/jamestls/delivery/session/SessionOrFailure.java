package org.jamestls.delivery.session;

import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryFailure;

/** Either a session ready for a transaction, or why there is none (it could not be opened, or no slot was free). */
final class SessionOrFailure {
    private final Optional<SmtpSession> session;
    private final Optional<DeliveryFailure> failure;
    private final Optional<InetAddress> localAddress;

    private SessionOrFailure(Optional<SmtpSession> session, Optional<DeliveryFailure> failure,
                             Optional<InetAddress> localAddress) {
        this.session = session;
        this.failure = failure;
        this.localAddress = localAddress;
    }

    static SessionOrFailure ready(SmtpSession session) {
        return new SessionOrFailure(Optional.of(session), Optional.empty(), Optional.of(session.localAddress()));
    }

    static SessionOrFailure failed(DeliveryFailure failure) {
        return new SessionOrFailure(Optional.empty(), Optional.of(failure), Optional.empty());
    }

    /** This result of a connection made from {@code local} (TLS reports name the sending address of a failure). */
    SessionOrFailure connectedFrom(InetAddress local) {
        return new SessionOrFailure(session, failure, Optional.of(local));
    }

    Optional<SmtpSession> session() {
        return session;
    }

    Optional<DeliveryFailure> failure() {
        return failure;
    }

    /** Where the connection was made from; empty when none was made (refused, no slot free). */
    Optional<InetAddress> localAddress() {
        return localAddress;
    }
}
