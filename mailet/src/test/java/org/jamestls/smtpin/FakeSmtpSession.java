package org.jamestls.smtpin;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * An {@link SMTPSession} that answers only what {@link RequireTlsHandler} asks (attachments per state, TLS or not,
 * id, remote address); anything else fails the test. The real session is exercised in it-tests (RequireTlsIntakeIT).
 */
final class FakeSmtpSession {
    private final Map<String, Object> transaction = new HashMap<>();
    private final Map<String, Object> connection = new HashMap<>();
    private boolean tls;

    static FakeSmtpSession plain() {
        return new FakeSmtpSession();
    }

    static FakeSmtpSession underTls() {
        FakeSmtpSession session = new FakeSmtpSession();
        session.tls = true;
        return session;
    }

    SMTPSession session() {
        return (SMTPSession) Proxy.newProxyInstance(SMTPSession.class.getClassLoader(), new Class<?>[] {SMTPSession.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "isTLSStarted":
                        return tls;
                    case "getSSLSession":
                        return Optional.empty();
                    case "getSessionID":
                        return "test-session";
                    case "getRemoteAddress":
                        return new InetSocketAddress("127.0.0.1", 40000);
                    case "getAttachment":
                        return ((AttachmentKey<?>) args[0]).convert(state(args[1]).get(key(args[0])));
                    case "setAttachment":
                        return Optional.ofNullable(state(args[2]).put(key(args[0]), args[1]));
                    case "removeAttachment":
                        return Optional.ofNullable(state(args[1]).remove(key(args[0])));
                    case "toString":
                        return "FakeSmtpSession(tls=" + tls + ")";
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    /** What MailCmdHandler leaves after a MAIL it accepted: the transaction's sender. */
    void senderAccepted() {
        transaction.put(key(SMTPSession.SENDER), org.apache.james.core.MaybeSender.nullSender());
    }

    /** What MailCmdHandler does after refusing a MAIL: it drops the sender, nothing else. */
    void senderRefused() {
        transaction.remove(key(SMTPSession.SENDER));
    }

    private Map<String, Object> state(Object state) {
        return state == org.apache.james.protocols.api.ProtocolSession.State.Transaction ? transaction : connection;
    }

    private static String key(Object attachmentKey) {
        return ((AttachmentKey<?>) attachmentKey).asString();
    }
}
