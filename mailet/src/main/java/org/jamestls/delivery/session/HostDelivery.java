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
        SessionOrFailure acquired = pool.acquire(SessionKey.of(target, plan), slotWait, () -> opener.open(target, plan));
        if (acquired.failure().isPresent()) {
            return HostAttemptResult.notTransacted(target, Optional.empty(), acquired.failure().get())
                .from(acquired.localAddress());
        }
        return transact(acquired.session().orElseThrow(), target, mail, recipients).from(acquired.localAddress());
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
}
