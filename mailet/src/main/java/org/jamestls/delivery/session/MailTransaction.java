package org.jamestls.delivery.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;

/**
 * One mail transaction on an open session: MAIL FROM, RCPT TO per recipient (each answer settles that
 * recipient), DATA, with 8-bit content declared or converted as the receiver's EHLO allows
 * ({@link EightBitDowngrade}). Says whether the session may carry another mail: not after a 421 or a broken stream.
 */
final class MailTransaction {
    /** The settled recipients, and whether the session is still usable. */
    static final class Outcome {
        final HostAttemptResult result;
        final boolean sessionReusable;

        Outcome(HostAttemptResult result, boolean sessionReusable) {
            this.result = result;
            this.sessionReusable = sessionReusable;
        }
    }

    private static final int SERVICE_CLOSING = 421;

    private MailTransaction() {
    }

    static Outcome run(SmtpSession session, MxTarget target, Mail mail, Collection<MailAddress> recipients) throws IOException {
        SmtpConnection connection = session.connection();
        OptionalLong limit = sizeLimit(session.capabilities());
        long size = messageSize(mail);
        if (limit.isPresent() && size > limit.getAsLong()) {
            // RFC 1870: the receiver announced it cannot take this mail; sending it would only waste the link
            return new Outcome(HostAttemptResult.allFailed(target, session.tls(), recipients,
                new DeliveryFailure(FailureKind.MESSAGE_REJECTED, "5.3.4", "message of " + size + " bytes exceeds the "
                    + limit.getAsLong() + " bytes " + target + " accepts (SIZE)")), true);
        }
        EightBitDowngrade.Prepared content = prepareContent(session, mail);
        if (content.impossible().isPresent()) {
            // RFC 6152: no 8-bit byte to a receiver that did not offer 8BITMIME
            return new Outcome(HostAttemptResult.allFailed(target, session.tls(), recipients,
                new DeliveryFailure(FailureKind.MESSAGE_REJECTED, "5.6.3", "the message has "
                    + content.impossible().get() + ", which cannot be converted to 7 bits, and " + target
                    + " does not offer 8BITMIME")), true);
        }
        if (content.converted() && limit.isPresent() && content.convertedSize() > limit.getAsLong()) {
            return new Outcome(HostAttemptResult.allFailed(target, session.tls(), recipients,
                new DeliveryFailure(FailureKind.MESSAGE_REJECTED, "5.3.4", "message of " + content.convertedSize()
                    + " bytes once converted to 7 bits exceeds the " + limit.getAsLong() + " bytes " + target
                    + " accepts (SIZE)")), true);
        }
        long sendSize = content.converted() ? content.convertedSize() : size;
        SmtpReply mailFrom = connection.command("MAIL FROM:<" + mail.getMaybeSender().asString("") + ">"
            + sizeParameter(session.capabilities(), sendSize) + content.bodyParameter() + requireTlsParameter(session));
        if (!mailFrom.isPositive()) {
            return finish(mailFrom, HostAttemptResult.allFailed(target, session.tls(), recipients,
                new DeliveryFailure(FailureKind.SENDER_REJECTED, mailFrom.enhancedStatus(),
                    target + " rejected the sender: " + mailFrom.asText())));
        }
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<MailAddress> accepted = new ArrayList<>();
        SmtpReply last = mailFrom;
        for (MailAddress recipient : recipients) {
            last = connection.command("RCPT TO:<" + recipient.asString() + ">");
            if (last.isPositive()) {
                accepted.add(recipient);
            } else {
                outcomes.add(RecipientOutcome.failed(recipient, new DeliveryFailure(FailureKind.RECIPIENT_REJECTED,
                    last.enhancedStatus(), target + " rejected " + recipient.asString() + ": " + last.asText())));
            }
            if (last.code() == SERVICE_CLOSING) {
                break;
            }
        }
        if (accepted.isEmpty() || last.code() == SERVICE_CLOSING) {
            failRemaining(outcomes, recipients, target, last);
            return finish(last, HostAttemptResult.transacted(target, session.tls(), outcomes));
        }
        SmtpReply data = connection.command("DATA");
        if (data.code() != 354) {
            return finish(data, withAll(target, session, outcomes, accepted, new DeliveryFailure(FailureKind.MESSAGE_REJECTED,
                data.enhancedStatus(), target + " refused DATA: " + data.asText())));
        }
        SmtpReply finalReply = sendBody(connection, content);
        if (!finalReply.isPositive()) {
            return finish(finalReply, withAll(target, session, outcomes, accepted, new DeliveryFailure(
                FailureKind.MESSAGE_REJECTED, finalReply.enhancedStatus(), target + " rejected the message: " + finalReply.asText())));
        }
        accepted.forEach(recipient -> outcomes.add(RecipientOutcome.delivered(recipient)));
        return new Outcome(HostAttemptResult.transacted(target, session.tls(), outcomes), true);
    }

    /** A 421 means the server is closing the channel: the session must not be reused. */
    private static Outcome finish(SmtpReply lastReply, HostAttemptResult result) {
        return new Outcome(result, lastReply.code() != SERVICE_CLOSING);
    }

    /** Recipients not yet asked when a 421 cut the transaction short share that answer. */
    private static void failRemaining(List<RecipientOutcome> outcomes, Collection<MailAddress> recipients, MxTarget target,
                                      SmtpReply last) {
        if (last.code() != SERVICE_CLOSING) {
            return;
        }
        for (MailAddress recipient : recipients) {
            boolean settled = outcomes.stream().anyMatch(outcome -> outcome.recipient().equals(recipient));
            if (!settled) {
                outcomes.add(RecipientOutcome.failed(recipient, new DeliveryFailure(FailureKind.RECIPIENT_REJECTED,
                    last.enhancedStatus(), target + " closed the session: " + last.asText())));
            }
        }
    }

    private static HostAttemptResult withAll(MxTarget target, SmtpSession session, List<RecipientOutcome> outcomes,
                                             List<MailAddress> recipients, DeliveryFailure failure) {
        recipients.forEach(recipient -> outcomes.add(RecipientOutcome.failed(recipient, failure)));
        return HostAttemptResult.transacted(target, session.tls(), outcomes);
    }

    /** The message as this receiver may take it (RFC 6152), see {@link EightBitDowngrade}. */
    private static EightBitDowngrade.Prepared prepareContent(SmtpSession session, Mail mail) throws IOException {
        try {
            return EightBitDowngrade.prepare(mail.getMessage(), session.capabilities().offersExtension("8BITMIME"));
        } catch (MessagingException e) {
            throw new IOException("cannot read the message to send: " + e.getMessage(), e);
        }
    }

    private static SmtpReply sendBody(SmtpConnection connection, EightBitDowngrade.Prepared content) throws IOException {
        try {
            return connection.sendData(content.message());
        } catch (MessagingException e) {
            // the stored message cannot be read: the receiver must not take a truncated message, so the
            // connection is dropped without the final dot
            throw new IOException("cannot read the message to send: " + e.getMessage(), e);
        }
    }

    /** RFC 8689: a session opened for REQUIRETLS (the receiver offered it) passes the sender's request on. */
    private static String requireTlsParameter(SmtpSession session) {
        return session.key().requireTls() ? " REQUIRETLS" : "";
    }

    private static String sizeParameter(SmtpReply ehlo, long size) {
        return ehlo.offersExtension("SIZE") && size >= 0 ? " SIZE=" + size : "";
    }

    /** The announced SIZE limit; absent when there is none or it is 0 (no fixed limit). */
    private static OptionalLong sizeLimit(SmtpReply ehlo) {
        try {
            return ehlo.extensionParameters("SIZE")
                .filter(value -> !value.isBlank())
                .map(value -> Long.parseLong(value.trim()))
                .filter(value -> value > 0)
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static long messageSize(Mail mail) {
        try {
            return mail.getMessageSize();
        } catch (MessagingException e) {
            return -1;
        }
    }
}
