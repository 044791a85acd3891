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

    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis, SessionPool pool) {
        this.opener = new SessionOpener(connectTimeoutMillis, readTimeoutMillis);
        this.pool = pool;
        this.slotWait = Duration.ofMillis(connectTimeoutMillis);
    }

    public HostAttemptResult attempt(MxTarget target, ConnectionPlan plan, Mail mail, Collection<MailAddress> recipients) {
        Optional<SmtpSession> idle = pool.takeIdle(SessionKey.of(target, plan));
        SmtpSession session;
        if (idle.isPresent()) {
            session = idle.get();
        } else {
            Optional<DeliveryFailure> noSlot = reserveSlot(target);
            if (noSlot.isPresent()) {
                return HostAttemptResult.notTransacted(target, Optional.empty(), noSlot.get());
            }
            SessionOpener.Opened opened = opener.open(target, plan);
            if (opened.failure.isPresent()) {
                pool.unreserve(target.socketAddress());
                return HostAttemptResult.notTransacted(target, Optional.empty(), opened.failure.get());
            }
            session = opened.session.orElseThrow();
        }
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

    private Optional<DeliveryFailure> reserveSlot(MxTarget target) {
        try {
            if (pool.reserve(target.socketAddress(), slotWait)) {
                return Optional.empty();
            }
            return Optional.of(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5",
                "no free connection to " + target + " within " + slotWait.toSeconds() + "s (maxConnectionsPerHost reached)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5", "interrupted while waiting for " + target));
        }
    }
}
