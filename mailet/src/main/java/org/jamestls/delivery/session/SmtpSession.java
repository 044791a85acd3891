package org.jamestls.delivery.session;

import java.io.IOException;
import java.net.InetAddress;
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

    InetAddress localAddress() {
        return connection.localAddress();
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

    /** Before another transaction: RSET, and whether the receiver still answers 250 to it. */
    boolean resetForReuse() {
        try {
            return connection.command("RSET").code() == 250;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    void quitAndClose() {
        connection.quietlyQuit();
        connection.close();
    }

    /** Closes the connection without a word to the receiver. */
    void abort() {
        connection.close();
    }
}
