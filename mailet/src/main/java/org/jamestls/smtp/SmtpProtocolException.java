package org.jamestls.smtp;

import java.io.IOException;

/** The peer broke the SMTP protocol (closed early, sent garbage): a connection-level, temporary problem. */
public class SmtpProtocolException extends IOException {
    public SmtpProtocolException(String message) {
        super(message);
    }
}
