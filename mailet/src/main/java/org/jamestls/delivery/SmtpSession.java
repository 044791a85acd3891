package org.jamestls.delivery;

import java.util.Optional;

import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * An SMTP session ready for a transaction: greeted, EHLO done and STARTTLS applied as its key's mode
 * said. It may carry several transactions (RSET between them) until the pool retires it.
 */
final class SmtpSession {
    private final SessionKey key;
    private final SmtpConnection connection;
    private final SmtpReply capabilities;
    private int transactions;
    private long idleSinceNanos;

    SmtpSession(SessionKey key, SmtpConnection connection, SmtpReply capabilities) {
        this.key = key;
        this.connection = connection;
        this.capabilities = capabilities;
    }

    SessionKey key() {
        return key;
    }

    SmtpConnection connection() {
        return connection;
    }

    /** The EHLO answer that applies to transactions (the one after STARTTLS when TLS is on). */
    SmtpReply capabilities() {
        return capabilities;
    }

    Optional<TlsSessionInfo> tls() {
        return connection.tls();
    }

    int transactions() {
        return transactions;
    }

    void countTransaction() {
        transactions++;
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void quitAndClose() {
        connection.quietlyQuit();
        connection.close();
    }
}
