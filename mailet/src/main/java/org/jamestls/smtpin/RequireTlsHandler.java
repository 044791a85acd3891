package org.jamestls.smtpin;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ExtensibleHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.james.smtpserver.SendMailHandler;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REQUIRETLS (RFC 8689) on James 3.8.1's SMTP intake, as one handler for {@code smtpserver.xml}:
 * <pre>
 * &lt;handlerchain&gt;
 *     &lt;handler class="org.jamestls.smtpin.RequireTlsHandler"/&gt;
 *     ...
 * </pre>
 * <ul>
 * <li>EHLO ({@link EhloExtension}): offers {@code REQUIRETLS} only on a TLS session (after STARTTLS, or on an
 *     implicit-TLS listener).</li>
 * <li>MAIL ({@link CommandHandler} for MAIL, called before James's own {@code JamesMailCmdHandler}, which then
 *     handles the command as usual): {@code REQUIRETLS} in clear is refused with {@code 530 5.7.10}, with a value
 *     ({@code REQUIRETLS=x}) with {@code 501 5.5.4}; under TLS it is remembered for the transaction. Each new MAIL
 *     command forgets an earlier transaction's (failed) request. Not James's {@code MailParametersHook}: James
 *     3.8.1 matches value-less parameter names case-sensitively and silently ignores unknown ones, so a
 *     {@code requiretls} would be accepted without effect, and a parameter seen by a MAIL that James then refuses
 *     would stay attached to the transaction.</li>
 * <li>DATA ({@link JamesMessageHook}, called before James's {@code SendMailHandler} enqueues the mail): marks the
 *     mail with {@link RequireTlsMark} ({@code jamestls.requiretls = true}).</li>
 * </ul>
 * James 3.8.1 appends its core handlers ({@code CoreCmdHandlerLoader}) after the configured ones, so the order
 * above holds wherever the line stands in the chain; {@link #wireExtensions} stops start-up if it does not
 * (e.g. a custom {@code coreHandlersPackage}). Stateless: the per-transaction state lives in the session.
 */
public class RequireTlsHandler implements EhloExtension, CommandHandler<SMTPSession>, JamesMessageHook,
    ExtensibleHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireTlsHandler.class);

    /** The session's record that this transaction's MAIL FROM carried REQUIRETLS under TLS. */
    static final ProtocolSession.AttachmentKey<Boolean> REQUESTED =
        ProtocolSession.AttachmentKey.of("jamestls.requiretls", Boolean.class);

    private static final String MAIL = "MAIL";
    private static final Response NEEDS_TLS = new SMTPResponse("530",
        DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.SECURITY, 10)
            + " REQUIRETLS needs a TLS session: issue STARTTLS first").immutable();
    private static final Response HAS_VALUE = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS,
        DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG)
            + " REQUIRETLS takes no value").immutable();

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        return session.isTLSStarted() ? List.of(RequireTlsParameter.KEYWORD) : List.of();
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of(MAIL);
    }

    /** Returns a refusal, or null to let James's MAIL handler answer. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, State.Transaction).isPresent()) {
            return null; // a second MAIL in one transaction: James answers 503, the first MAIL's request stands
        }
        session.removeAttachment(REQUESTED, State.Transaction);
        Optional<String> parameter = RequireTlsParameter.in(request.getArgument());
        if (parameter.isEmpty()) {
            return null;
        }
        if (!session.isTLSStarted()) {
            LOGGER.info("REQUIRETLS refused without TLS: session={} remote={}", session.getSessionID(),
                session.getRemoteAddress());
            return NEEDS_TLS;
        }
        if (!parameter.get().isEmpty()) {
            return HAS_VALUE;
        }
        session.setAttachment(REQUESTED, Boolean.TRUE, State.Transaction);
        return null;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (session.getAttachment(REQUESTED, State.Transaction).orElse(false)) {
            RequireTlsMark.mark(mail);
            LOGGER.info("REQUIRETLS requested: mail={} sender={} recipients={} protocol={}", mail.getName(),
                mail.getMaybeSender().asString(), mail.getRecipients(),
                session.getSSLSession().map(ssl -> ssl.getProtocol()).orElse("?"));
        }
        return HookResult.DECLINED;
    }

    @Override
    public List<Class<?>> getMarkerInterfaces() {
        return List.of(CommandHandler.class, JamesMessageHook.class);
    }

    /** Checks that this handler sees MAIL first and marks the mail before SendMailHandler enqueues it. */
    @Override
    public void wireExtensions(Class<?> interfaceName, List<?> extensions) throws WiringException {
        Optional<?> first = Optional.empty();
        if (CommandHandler.class.equals(interfaceName)) {
            first = extensions.stream().filter(handler -> handlesMail((CommandHandler<?>) handler)).findFirst();
        } else if (JamesMessageHook.class.equals(interfaceName)) {
            first = extensions.stream()
                .filter(hook -> hook == this || hook instanceof SendMailHandler).findFirst();
        }
        if (first.isPresent() && first.get() != this) {
            throw new WiringException(getClass().getName() + " must come before " + first.get().getClass().getName()
                + " in smtpserver.xml's <handlerchain> (it has to see MAIL FROM first and mark the mail before it is"
                + " enqueued); James appends its core handlers after the configured ones unless coreHandlersPackage"
                + " says otherwise");
        }
    }

    private static boolean handlesMail(CommandHandler<?> handler) {
        return handler.getImplCommands().stream().anyMatch(command -> command.trim().toUpperCase(Locale.US).equals(MAIL));
    }
}
