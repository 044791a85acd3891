package org.jamestls.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;
import org.jamestls.smtp.TlsNegotiator;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * One SMTP session with one MX address: greeting, EHLO, STARTTLS as the mode says, then the
 * transaction. The TLS decision is made before MAIL FROM, so under MANDATORY no message byte
 * leaves unless the handshake completed.
 */
public final class HostDelivery {
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    public HostDelivery(int connectTimeoutMillis, int readTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    public HostAttemptResult attempt(MxTarget target, ConnectionPlan plan, Mail mail, Collection<MailAddress> recipients) {
        SmtpConnection connection;
        try {
            connection = SmtpConnection.open(target.socketAddress(), plan.bindAddress(), connectTimeoutMillis, readTimeoutMillis);
        } catch (IOException e) {
            return HostAttemptResult.notTransacted(target, Optional.empty(),
                new DeliveryFailure(FailureKind.CONNECTION, "4.4.1", "cannot connect to " + target + ": " + describe(e)));
        }
        try (connection) {
            return converse(connection, target, plan, mail, recipients);
        } catch (IOException e) {
            return HostAttemptResult.notTransacted(target, connection.tls(),
                new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2", "connection to " + target + " lost: " + describe(e)));
        }
    }

    private HostAttemptResult converse(SmtpConnection connection, MxTarget target, ConnectionPlan plan,
                                       Mail mail, Collection<MailAddress> recipients) throws IOException {
        SmtpReply greeting = connection.readReply();
        if (greeting.code() != 220) {
            connection.quietlyQuit();
            return HostAttemptResult.notTransacted(target, Optional.empty(), new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(greeting), target + " refused the session: " + greeting.asText()));
        }
        SmtpReply ehlo = hello(connection, plan.heloName());
        if (!ehlo.isPositive()) {
            connection.quietlyQuit();
            return HostAttemptResult.notTransacted(target, Optional.empty(), new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(ehlo), target + " refused HELO " + plan.heloName() + ": " + ehlo.asText()));
        }
        if (plan.startTlsMode() != StartTlsMode.NEVER) {
            boolean offered = ehlo.offersExtension("STARTTLS");
            if (!offered && plan.startTlsMode() == StartTlsMode.MANDATORY) {
                connection.quietlyQuit();
                return HostAttemptResult.notTransacted(target, Optional.empty(), new DeliveryFailure(FailureKind.STARTTLS_NOT_OFFERED,
                    "4.7.6", "TLS required but " + target + " does not offer STARTTLS"));
            }
            if (offered) {
                Optional<DeliveryFailure> tlsFailure = negotiateTls(connection, target, plan.tlsNegotiator());
                if (tlsFailure.isPresent()) {
                    return HostAttemptResult.notTransacted(target, Optional.empty(), tlsFailure.get());
                }
                ehlo = hello(connection, plan.heloName());
                if (!ehlo.isPositive()) {
                    connection.quietlyQuit();
                    return HostAttemptResult.notTransacted(target, connection.tls(), new DeliveryFailure(FailureKind.GREETING_REJECTED,
                        transientStatusOf(ehlo), target + " refused EHLO after STARTTLS: " + ehlo.asText()));
                }
            }
        }
        return transact(connection, target, ehlo, mail, recipients);
    }

    private Optional<DeliveryFailure> negotiateTls(SmtpConnection connection, MxTarget target, TlsNegotiator negotiator) throws IOException {
        SmtpReply reply = connection.command("STARTTLS");
        if (reply.code() != 220) {
            connection.quietlyQuit();
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: STARTTLS answered " + reply.asText()));
        }
        try {
            connection.startTls(negotiator, target.mxHost());
            return Optional.empty();
        } catch (IOException e) {
            Optional<CertificateException> rejected = certificateProblem(e);
            if (rejected.isPresent()) {
                return Optional.of(new DeliveryFailure(FailureKind.TLS_VERIFICATION, "4.7.5",
                    "certificate of " + target + " failed verification: " + rejected.get().getMessage()));
            }
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: " + describe(e)));
        }
    }

    private HostAttemptResult transact(SmtpConnection connection, MxTarget target, SmtpReply ehlo,
                                       Mail mail, Collection<MailAddress> recipients) throws IOException {
        Optional<TlsSessionInfo> tls = connection.tls();
        SmtpReply mailFrom = connection.command("MAIL FROM:<" + mail.getMaybeSender().asString("") + ">" + sizeParameter(ehlo, mail));
        if (!mailFrom.isPositive()) {
            connection.quietlyQuit();
            return HostAttemptResult.allFailed(target, tls, recipients, new DeliveryFailure(FailureKind.SENDER_REJECTED,
                mailFrom.enhancedStatus(), target + " rejected the sender: " + mailFrom.asText()));
        }
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<MailAddress> accepted = new ArrayList<>();
        for (MailAddress recipient : recipients) {
            SmtpReply rcpt = connection.command("RCPT TO:<" + recipient.asString() + ">");
            if (rcpt.isPositive()) {
                accepted.add(recipient);
            } else {
                outcomes.add(RecipientOutcome.failed(recipient, new DeliveryFailure(FailureKind.RECIPIENT_REJECTED,
                    rcpt.enhancedStatus(), target + " rejected " + recipient.asString() + ": " + rcpt.asText())));
            }
        }
        if (accepted.isEmpty()) {
            connection.quietlyQuit();
            return HostAttemptResult.transacted(target, tls, outcomes);
        }
        SmtpReply data = connection.command("DATA");
        if (data.code() != 354) {
            connection.quietlyQuit();
            return withAll(target, tls, outcomes, accepted, new DeliveryFailure(FailureKind.MESSAGE_REJECTED,
                data.enhancedStatus(), target + " refused DATA: " + data.asText()));
        }
        SmtpReply finalReply = sendBody(connection, mail);
        if (!finalReply.isPositive()) {
            connection.quietlyQuit();
            return withAll(target, tls, outcomes, accepted, new DeliveryFailure(FailureKind.MESSAGE_REJECTED,
                finalReply.enhancedStatus(), target + " rejected the message: " + finalReply.asText()));
        }
        accepted.forEach(recipient -> outcomes.add(RecipientOutcome.delivered(recipient)));
        connection.quietlyQuit();
        return HostAttemptResult.transacted(target, tls, outcomes);
    }

    private static HostAttemptResult withAll(MxTarget target, Optional<TlsSessionInfo> tls, List<RecipientOutcome> outcomes,
                                             List<MailAddress> recipients, DeliveryFailure failure) {
        recipients.forEach(recipient -> outcomes.add(RecipientOutcome.failed(recipient, failure)));
        return HostAttemptResult.transacted(target, tls, outcomes);
    }

    private static SmtpReply sendBody(SmtpConnection connection, Mail mail) throws IOException {
        try {
            return connection.sendData(mail.getMessage());
        } catch (MessagingException e) {
            // the stored message cannot be read: nothing sensible was sent, and the receiver must not
            // take a truncated message, so the connection is dropped without the final dot
            throw new IOException("cannot read the message to send: " + e.getMessage(), e);
        }
    }

    private static String sizeParameter(SmtpReply ehlo, Mail mail) {
        if (!ehlo.offersExtension("SIZE")) {
            return "";
        }
        try {
            return " SIZE=" + mail.getMessageSize();
        } catch (MessagingException e) {
            return "";
        }
    }

    private static SmtpReply hello(SmtpConnection connection, String heloName) throws IOException {
        SmtpReply ehlo = connection.command("EHLO " + heloName);
        if (ehlo.isPermanentNegative()) {
            // servers without ESMTP: plain HELO, which offers no STARTTLS
            return connection.command("HELO " + heloName);
        }
        return ehlo;
    }

    /** A refusal before the transaction is retried elsewhere or later; it never bounces on its own. */
    private static String transientStatusOf(SmtpReply reply) {
        String status = reply.enhancedStatus();
        return "4" + status.substring(1);
    }

    private static Optional<CertificateException> certificateProblem(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return Optional.of((CertificateException) cause);
            }
        }
        return Optional.empty();
    }

    private static String describe(IOException e) {
        String type = e instanceof SocketTimeoutException ? "timeout"
            : e instanceof ConnectException ? "connection refused"
            : e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }
}
