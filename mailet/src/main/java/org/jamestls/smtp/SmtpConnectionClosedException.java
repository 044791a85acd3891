package org.jamestls.smtp;

/** The peer closed the connection where a reply was due (end of stream before any byte of it). */
public final class SmtpConnectionClosedException extends SmtpProtocolException {
    public SmtpConnectionClosedException(String message) {
        super(message);
    }
}
