package org.jamestls.delivery.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * Delivers one mail to one MX address as its connection plan says: a session from the pool (an idle one with
 * the same identity and TLS options, else a new one), then the transaction; the session goes back to the pool
 * when it can carry another mail. A reused session the receiver had closed while idle (a stale session) is replaced
 * once by a new connection, without counting as a failure. Whatever ends the transaction, an exception included, the
 * session leaves the caller's hands: given back, or closed with its pool slot freed.
 */
public final class HostDelivery {
    /** RFC 5321 section 4.5.3.2.6: ten minutes for the reply to the final dot. */
    public static final int DEFAULT_DATA_TIMEOUT_MILLIS = 600_000;

    private final SessionOpener opener;
    private final SessionPool pool;
    private final Duration slotWait;
    private final int dataTimeoutMillis;
    private final boolean chunking;

    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis, SessionPool pool) {
        this(connectTimeoutMillis, readTimeoutMillis, DEFAULT_DATA_TIMEOUT_MILLIS, pool);
    }

    /** @param dataTimeoutMillis how long the final dot's reply may take; every other reply has {@code readTimeoutMillis} */
    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis, int dataTimeoutMillis, SessionPool pool) {
        this(connectTimeoutMillis, readTimeoutMillis, dataTimeoutMillis, true, pool);
    }

    /** @param chunking whether a receiver offering PIPELINING and CHUNKING gets small mails by BDAT (RFC 3030) */
    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis, int dataTimeoutMillis, boolean chunking,
                        SessionPool pool) {
        this.opener = new SessionOpener(connectTimeoutMillis, readTimeoutMillis);
        this.pool = pool;
        this.slotWait = Duration.ofMillis(connectTimeoutMillis);
        this.dataTimeoutMillis = dataTimeoutMillis;
        this.chunking = chunking;
    }

    public HostAttemptResult attempt(MxTarget target, ConnectionPlan plan, Mail mail, Collection<MailAddress> recipients) {
        SessionKey key = SessionKey.of(target, plan);
        Supplier<SessionOrFailure> newSession = () -> opener.open(target, plan);
        SessionOrFailure acquired = pool.acquire(key, slotWait, newSession);
        try {
            return transact(acquired, target, mail, recipients);
        } catch (MailTransaction.StaleSessionException stale) {
            // nothing reached the receiver: once more, on a new connection; a second stale session is a plain loss
            try {
                return transact(pool.acquireNew(key, slotWait, newSession), target, mail, recipients).afterStaleSession();
            } catch (MailTransaction.StaleSessionException again) {
                return lost(target, Optional.empty(), again).afterStaleSession();
            }
        }
    }

    private HostAttemptResult transact(SessionOrFailure acquired, MxTarget target, Mail mail,
                                       Collection<MailAddress> recipients) throws MailTransaction.StaleSessionException {
        if (acquired.failure().isPresent()) {
            return HostAttemptResult.notTransacted(target, Optional.empty(), acquired.failure().get())
                .from(acquired.localAddress());
        }
        SmtpSession session = acquired.session().orElseThrow();
        MailTransaction.Outcome outcome;
        try {
            outcome = MailTransaction.run(session, target, mail, recipients, dataTimeoutMillis, chunking);
        } catch (MailTransaction.StaleSessionException e) {
            session.markBroken();
            pool.discard(session);
            throw e;
        } catch (IOException e) {
            // broken mid-protocol: closed at once, no QUIT dialogue to wait for
            session.markBroken();
            pool.discard(session);
            return lost(target, session.tls(), e).from(acquired.localAddress());
        } catch (RuntimeException | Error e) {
            // e.g. a line break in an address (IllegalArgumentException): the dialogue is in an unknown state, so the
            // connection goes and its slot is freed; the caller turns the exception into a deferral (4.3.0)
            pool.discardBroken(session);
            throw e;
        }
        pool.giveBack(session, outcome.sessionReusable);
        return outcome.result.from(acquired.localAddress());
    }

    private static HostAttemptResult lost(MxTarget target, Optional<TlsSessionInfo> tls, IOException e) {
        return HostAttemptResult.notTransacted(target, tls, new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2",
            "connection to " + target + " lost: " + SessionOpener.describe(e)));
    }
}
