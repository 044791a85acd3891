package org.jamestls.delivery.session;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * An SMTP session ready for a transaction: greeted, EHLO done and STARTTLS applied as its key's mode
 * said. It may carry several transactions until the pool retires it: the next one follows a completed transaction
 * at once (RFC 5321 needs no RSET after the final dot's reply), an aborted one after RSET. A session that broke
 * mid-protocol is closed without QUIT: nothing it could answer is worth a read timeout.
 */
final class SmtpSession {
    private final SessionKey key;
    private final SmtpConnection connection;
    private final SmtpReply capabilities;
    private int transactions;
    private long idleSinceNanos;
    private boolean needsReset;
    private boolean broken;

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

    /** The last transaction ended before its final dot's reply (refused, or nothing accepted): RSET before the next. */
    void transactionAborted() {
        needsReset = true;
    }

    /** The protocol broke (lost connection, timeout, unreadable reply): close it at once, never send it QUIT. */
    void markBroken() {
        broken = true;
        connection.close();
    }

    /** Whether this session carried a transaction before the one now starting (a dead one is then merely stale). */
    boolean isReused() {
        return transactions > 0;
    }

    /**
     * Before another transaction: after an aborted one RSET, and whether the receiver still answers 250 to it; after a
     * completed one nothing (a receiver that closed the idle session shows it at the next MAIL FROM: a stale session).
     */
    boolean resetForReuse() {
        if (!needsReset) {
            return true;
        }
        try {
            boolean reset = connection.command("RSET").code() == 250;
            needsReset = !reset;
            return reset;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    void quitAndClose() {
        if (!broken) {
            connection.quietlyQuit();
        }
        connection.close();
    }

    /** Closes the connection without a word to the receiver. */
    void abort() {
        connection.close();
    }
}
