package org.jamestls.delivery.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;

/**
 * Delivers one mail to one MX address as its connection plan says: a session from the pool (an idle one with
 * the same identity and TLS options, else a new one), then the transaction; the session goes back to the pool
 * when it can carry another mail. Whatever ends the transaction, an exception included, the session leaves the
 * caller's hands: given back, or closed with its pool slot freed.
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
        SessionOrFailure acquired = pool.acquire(SessionKey.of(target, plan), slotWait, () -> opener.open(target, plan));
        if (acquired.failure().isPresent()) {
            return HostAttemptResult.notTransacted(target, Optional.empty(), acquired.failure().get());
        }
        return transact(acquired.session().orElseThrow(), target, mail, recipients);
    }

    private HostAttemptResult transact(SmtpSession session, MxTarget target, Mail mail, Collection<MailAddress> recipients) {
        MailTransaction.Outcome outcome;
        try {
            outcome = MailTransaction.run(session, target, mail, recipients);
        } catch (IOException e) {
            pool.discard(session);
            return HostAttemptResult.notTransacted(target, session.tls(), new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2",
                "connection to " + target + " lost: " + SessionOpener.describe(e)));
        } catch (RuntimeException | Error e) {
            // e.g. a line break in an address (IllegalArgumentException): the dialogue is in an unknown state, so the
            // connection goes and its slot is freed; the caller turns the exception into a deferral (4.3.0)
            pool.discardBroken(session);
            throw e;
        }
        pool.giveBack(session, outcome.sessionReusable);
        return outcome.result;
    }
}
