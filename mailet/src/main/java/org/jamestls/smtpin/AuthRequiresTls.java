package org.jamestls.smtpin;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Refuses {@code AUTH} before STARTTLS with {@code 538 5.7.11} (RFC 4954 §6), so that no password crosses the
 * network in clear. James 3.8.1's {@code <auth><requireSSL>true</requireSSL>} only keeps AUTH out of the EHLO answer
 * before TLS: its AuthCmdHandler still accepts an {@code AUTH PLAIN} sent in clear. In smtpserver.xml's handler
 * chain, put it before {@code CoreCmdHandlerLoader} so it sees AUTH first; over TLS it passes the command on to
 * James's handler.
 */
public class AuthRequiresTls implements CommandHandler<SMTPSession> {
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.isTLSStarted()) {
            return null; // not answered here: the next AUTH handler (James's) runs
        }
        return new SMTPResponse(SMTPRetCode.AUTH_ENCRYPTION_REQUIRED,
            "5.7.11 Encryption required for requested authentication mechanism: STARTTLS first");
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("AUTH");
    }
}
