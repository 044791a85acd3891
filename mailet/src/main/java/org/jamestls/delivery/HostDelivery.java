package org.jamestls.delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

/**
 * Delivers one mail to one MX address: an idle session from the pool when one with the same identity
 * and TLS options is open, else a new one, then the transaction; the session goes back to the pool
 * when it can carry another mail.
 */
public final class HostDelivery {
    private final SessionOpener opener;
    private final SessionPool pool;
    private final Duration slotWait;
    /** An idle session can be taken by another worker between being offered and taken: try again, boundedly. */
    private static final int MAX_POOL_TRIES = 5;

    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis, SessionPool pool) {
        this.opener = new SessionOpener(connectTimeoutMillis, readTimeoutMillis);
        this.pool = pool;
        this.slotWait = Duration.ofMillis(connectTimeoutMillis);
    }

    public HostAttemptResult attempt(MxTarget target, ConnectionPlan plan, Mail mail, Collection<MailAddress> recipients) {
        SessionKey key = SessionKey.of(target, plan);
        Optional<SmtpSession> session = Optional.empty();
        for (int tries = 0; tries < MAX_POOL_TRIES && session.isEmpty(); tries++) {
            session = pool.takeIdle(key);
            if (session.isPresent()) {
                break;
            }
            SessionPool.Reservation reservation = reserve(key);
            if (reservation == SessionPool.Reservation.TIMED_OUT) {
                return HostAttemptResult.notTransacted(target, Optional.empty(), new DeliveryFailure(FailureKind.CONNECTION,
                    "4.4.5", "no free connection to " + target + " within " + slotWait.toSeconds()
                    + "s (maxConnectionsPerHost reached)"));
            }
            if (reservation == SessionPool.Reservation.RESERVED) {
                SessionOpener.Opened opened = opener.open(target, plan);
                if (opened.failure.isPresent()) {
                    pool.unreserve(target.socketAddress());
                    return HostAttemptResult.notTransacted(target, Optional.empty(), opened.failure.get());
                }
                session = opened.session;
            }
        }
        if (session.isEmpty()) {
            return HostAttemptResult.notTransacted(target, Optional.empty(), new DeliveryFailure(FailureKind.CONNECTION,
                "4.4.5", "no usable connection to " + target + " after " + MAX_POOL_TRIES + " tries"));
        }
        return transact(session.get(), target, mail, recipients);
    }

    private HostAttemptResult transact(SmtpSession session, MxTarget target, Mail mail, Collection<MailAddress> recipients) {
        try {
            MailTransaction.Outcome outcome = MailTransaction.run(session, target, mail, recipients);
            pool.giveBack(session, outcome.sessionReusable);
            return outcome.result;
        } catch (IOException e) {
            pool.discard(session);
            return HostAttemptResult.notTransacted(target, session.tls(), new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2",
                "connection to " + target + " lost: " + SessionOpener.describe(e)));
        }
    }

    private SessionPool.Reservation reserve(SessionKey key) {
        try {
            return pool.reserve(key, slotWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SessionPool.Reservation.TIMED_OUT;
        }
    }
}
