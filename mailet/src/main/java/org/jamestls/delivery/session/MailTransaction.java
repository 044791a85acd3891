package org.jamestls.delivery.session;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.smtp.MessageBytes;
import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpConnectionClosedException;
import org.jamestls.smtp.SmtpReply;

/**
 * One mail transaction on an open session: MAIL FROM, RCPT TO per recipient (each answer settles that
 * recipient), DATA, with 8-bit content declared or converted as the receiver's EHLO allows
 * ({@link EightBitDowngrade}). To a receiver that offers PIPELINING (RFC 2920) MAIL FROM, every RCPT TO and DATA
 * leave in one write and their replies are read in order; to one that does not, each command waits for its reply.
 * To a receiver that offers PIPELINING and CHUNKING (RFC 3030), unless turned off, a message of at most
 * {@link #CHUNKING_MAX_BYTES} goes in the same write: MAIL FROM, every RCPT TO, {@code BDAT <n> LAST} and the n bytes,
 * one round trip per mail. Says whether the session may carry another mail: not after a 421 or a broken stream.
 *
 * <p>From the moment the final dot (or the BDAT group) is sent until its reply arrives the outcome is unknown to us
 * (the receiver may have taken the mail): a timeout ({@code dataTimeoutMillis}) or a loss there defers the accepted
 * recipients as {@link FailureKind#AMBIGUOUS_AFTER_DOT}, a transacted result, so no other MX is tried for them in this
 * run. With BDAT that holds for every reply of the group, as the bytes went with it; recipients not answered yet are
 * deferred the same way.
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

    /**
     * A reused session the receiver had closed while it was idle: the connection ended (end of stream, reset) before
     * any reply to MAIL FROM. Nothing of the transaction reached the receiver, so it is no failure of this MX.
     */
    static final class StaleSessionException extends IOException {
        StaleSessionException(IOException cause) {
            super("the receiver closed the idle session: " + cause.getMessage(), cause);
        }
    }

    /**
     * The largest message sent with BDAT: it is serialised in memory first to count its bytes, so at most this much per
     * session (200 sessions: 50 MiB, a tenth of a 512 MB James). Larger messages go by DATA, streamed; at that size
     * the transfer itself takes longer than the round trip BDAT would save.
     */
    static final int CHUNKING_MAX_BYTES = 256 * 1024;

    static final String BY_DATA = "DATA";
    static final String BY_BDAT = "BDAT";

    private static final int SERVICE_CLOSING = 421;
    private static final int START_MAIL_INPUT = 354;

    private MailTransaction() {
    }

    static Outcome run(SmtpSession session, MxTarget target, Mail mail, Collection<MailAddress> recipients,
                       int dataTimeoutMillis) throws IOException {
        return run(session, target, mail, recipients, dataTimeoutMillis, true);
    }

    /** @param chunking whether BDAT may be used where the receiver offers it (the mailet parameter {@code chunking}) */
    static Outcome run(SmtpSession session, MxTarget target, Mail mail, Collection<MailAddress> recipients,
                       int dataTimeoutMillis, boolean chunking) throws IOException {
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
        boolean pipelining = session.capabilities().offersExtension("PIPELINING");
        Optional<MessageBytes> chunk = chunking && pipelining && session.capabilities().offersExtension("CHUNKING")
            ? chunkOf(content, size) : Optional.empty();
        long sendSize = chunk.isPresent() ? chunk.get().size() : content.converted() ? content.convertedSize() : size;
        List<String> commands = new ArrayList<>();
        commands.add("MAIL FROM:<" + mail.getMaybeSender().asString("") + ">"
            + sizeParameter(session.capabilities(), sendSize) + content.bodyParameter() + requireTlsParameter(session));
        recipients.forEach(recipient -> commands.add("RCPT TO:<" + recipient.asString() + ">"));
        Dialogue dialogue = chunk.isPresent() ? Dialogue.chunked(connection, commands, chunk.get(), dataTimeoutMillis)
            : Dialogue.withData(connection, commands, pipelining);
        Outcome outcome = transact(session, target, recipients, content, dialogue, dataTimeoutMillis);
        return new Outcome(outcome.result.by(chunk.isPresent() ? BY_BDAT : BY_DATA), outcome.sessionReusable);
    }

    private static Outcome transact(SmtpSession session, MxTarget target, Collection<MailAddress> recipients,
                                    EightBitDowngrade.Prepared content, Dialogue dialogue, int dataTimeoutMillis)
        throws IOException {
        SmtpConnection connection = session.connection();
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<MailAddress> accepted = new ArrayList<>();
        SmtpReply mailFrom;
        try {
            mailFrom = firstReply(session, dialogue);
        } catch (StaleSessionException e) {
            throw e;
        } catch (IOException e) {
            return afterMessage(session, target, dialogue, outcomes, List.copyOf(recipients), dataTimeoutMillis, e);
        }
        if (!mailFrom.isPositive()) {
            return aborted(session, dialogue, mailFrom, HostAttemptResult.allFailed(target, session.tls(), recipients,
                new DeliveryFailure(FailureKind.SENDER_REJECTED, mailFrom.enhancedStatus(),
                    target + " rejected the sender: " + mailFrom.asText())));
        }
        SmtpReply last = mailFrom;
        for (MailAddress recipient : recipients) {
            try {
                last = dialogue.reply();
            } catch (IOException e) {
                // the accepted ones and the ones not answered yet: only the refused ones are settled
                List<MailAddress> unsettled = new ArrayList<>(recipients);
                outcomes.forEach(refused -> unsettled.remove(refused.recipient()));
                return afterMessage(session, target, dialogue, outcomes, unsettled, dataTimeoutMillis, e);
            }
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
            // pipelined: DATA's 503/554 is still owed (and a lone dot if it said 354 anyway); no message byte is sent.
            // BDAT: its 554/503 is owed; the receiver discards the bytes that went with the group
            failRemaining(outcomes, recipients, target, last);
            return aborted(session, dialogue, last, HostAttemptResult.transacted(target, session.tls(), outcomes));
        }
        if (dialogue.chunked) {
            return chunkReply(session, target, dialogue, outcomes, accepted, dataTimeoutMillis);
        }
        SmtpReply data = dialogue.reply();
        if (data.code() != START_MAIL_INPUT) {
            session.transactionAborted();
            return finish(data, withAll(target, session, outcomes, accepted, new DeliveryFailure(FailureKind.MESSAGE_REJECTED,
                data.enhancedStatus(), target + " refused DATA: " + data.asText())));
        }
        writeBody(connection, content);
        SmtpReply finalReply;
        try {
            connection.endMessage();
            finalReply = connection.readReply(dataTimeoutMillis);
        } catch (IOException e) {
            session.markBroken();
            return new Outcome(withAll(target, session, outcomes, accepted, ambiguous(target, dataTimeoutMillis, e)), false);
        }
        if (!finalReply.isPositive()) {
            return finish(finalReply, withAll(target, session, outcomes, accepted, new DeliveryFailure(
                FailureKind.MESSAGE_REJECTED, finalReply.enhancedStatus(), target + " rejected the message: " + finalReply.asText())));
        }
        accepted.forEach(recipient -> outcomes.add(RecipientOutcome.delivered(recipient)));
        return new Outcome(HostAttemptResult.transacted(target, session.tls(), outcomes), true);
    }

    /** The reply to {@code BDAT n LAST}, which settles the accepted recipients as the final dot's reply does. */
    private static Outcome chunkReply(SmtpSession session, MxTarget target, Dialogue dialogue,
                                      List<RecipientOutcome> outcomes, List<MailAddress> accepted, int dataTimeoutMillis)
        throws IOException {
        SmtpReply reply;
        try {
            reply = dialogue.reply();
        } catch (IOException e) {
            return afterMessage(session, target, dialogue, outcomes, accepted, dataTimeoutMillis, e);
        }
        if (!reply.isPositive()) {
            // RFC 3030 section 2: the transaction failed; RSET puts the receiver in a known state for the next one
            session.transactionAborted();
            return finish(reply, withAll(target, session, outcomes, accepted, new DeliveryFailure(
                FailureKind.MESSAGE_REJECTED, reply.enhancedStatus(), target + " rejected the message (BDAT): " + reply.asText())));
        }
        accepted.forEach(recipient -> outcomes.add(RecipientOutcome.delivered(recipient)));
        return new Outcome(HostAttemptResult.transacted(target, session.tls(), outcomes), true);
    }

    /**
     * A reply lost or late after the message bytes went (BDAT): the receiver may have the mail for {@code unsettled}
     * (accepted, or not answered yet), which wait for a later attempt as after the final dot. Before the bytes went
     * (DATA), the loss is the caller's, as before.
     */
    private static Outcome afterMessage(SmtpSession session, MxTarget target, Dialogue dialogue,
                                        List<RecipientOutcome> outcomes, List<MailAddress> unsettled,
                                        int dataTimeoutMillis, IOException e) throws IOException {
        if (!dialogue.messageSent) {
            throw e;
        }
        session.markBroken();
        return new Outcome(withAll(target, session, outcomes, unsettled,
            ambiguous(target, dataTimeoutMillis, e, "the message (BDAT)")), false);
    }

    /**
     * The commands of one transaction and their replies in order: sent in one write when the receiver pipelines,
     * else each when its reply is asked for (so a lock-step dialogue never sends what a refusal made pointless).
     * Chunked: MAIL FROM, the RCPT TOs and {@code BDAT n LAST} with the message, in one write; every reply then waits
     * up to the final dot's timeout, as the receiver may be working on the message before it answers any.
     */
    private static final class Dialogue {
        private final SmtpConnection connection;
        private final List<String> commands;
        private final boolean pipelined;
        private final MessageBytes chunk;
        private final int replyTimeoutMillis;
        final boolean chunked;
        /** Whether the whole BDAT group left: from then on the receiver may have the mail. */
        boolean messageSent;
        private int replied;

        private Dialogue(SmtpConnection connection, List<String> commands, boolean pipelined, MessageBytes chunk,
                         int replyTimeoutMillis) {
            this.connection = connection;
            this.commands = commands;
            this.pipelined = pipelined;
            this.chunk = chunk;
            this.replyTimeoutMillis = replyTimeoutMillis;
            this.chunked = chunk != null;
        }

        /** MAIL FROM and the RCPT TOs, then DATA. */
        static Dialogue withData(SmtpConnection connection, List<String> envelope, boolean pipelined) {
            List<String> commands = new ArrayList<>(envelope);
            commands.add("DATA");
            return new Dialogue(connection, commands, pipelined, null, 0);
        }

        /** MAIL FROM and the RCPT TOs, then {@code BDAT n LAST} with the message, all pipelined. */
        static Dialogue chunked(SmtpConnection connection, List<String> envelope, MessageBytes chunk,
                                int dataTimeoutMillis) {
            List<String> commands = new ArrayList<>(envelope);
            commands.add(SmtpConnection.lastChunkCommand(chunk));
            return new Dialogue(connection, commands, true, chunk, dataTimeoutMillis);
        }

        SmtpReply reply() throws IOException {
            String command = commands.get(replied);
            if (pipelined && replied == 0) {
                if (chunked) {
                    connection.sendGroupWithLastChunk(commands.subList(0, commands.size() - 1), chunk);
                    messageSent = true;
                } else {
                    connection.sendGroup(commands);
                }
            }
            replied++;
            if (chunked) {
                return connection.readReply(replyTimeoutMillis);
            }
            return pipelined ? connection.readReply() : connection.command(command);
        }

        /**
         * The transaction stops before the message: a pipelined group's remaining replies are read (they were sent),
         * and a DATA accepted regardless gets a lone dot (RFC 2920 section 3.1), so the session stays in step.
         */
        void abandon() throws IOException {
            SmtpReply reply = null;
            while (pipelined && replied < commands.size()) {
                reply = chunked ? connection.readReply(replyTimeoutMillis) : connection.readReply();
                replied++;
                if (reply.code() == SERVICE_CLOSING) {
                    return;
                }
            }
            if (reply != null && reply.code() == START_MAIL_INPUT) {
                connection.endMessage();
                connection.readReply();
            }
        }
    }

    /** The reply to MAIL FROM; on a reused session, a connection already ended there is a stale session. */
    private static SmtpReply firstReply(SmtpSession session, Dialogue dialogue) throws IOException {
        try {
            return dialogue.reply();
        } catch (IOException e) {
            if (session.isReused() && endedByPeer(e)) {
                throw new StaleSessionException(e);
            }
            throw e;
        }
    }

    private static boolean endedByPeer(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SmtpConnectionClosedException || cause instanceof SocketException) {
                return true;
            }
        }
        return false;
    }

    /** The transaction ended before the message: RSET before the next one, unless the receiver is closing. */
    private static Outcome aborted(SmtpSession session, Dialogue dialogue, SmtpReply lastReply, HostAttemptResult result) {
        session.transactionAborted();
        if (lastReply.code() == SERVICE_CLOSING) {
            return finish(lastReply, result);
        }
        try {
            dialogue.abandon();
            return finish(lastReply, result);
        } catch (IOException e) {
            // the recipients are settled by their replies already; only the session is lost
            session.markBroken();
            return new Outcome(result, false);
        }
    }

    /** The receiver may have the mail: we sent the final dot and its reply never came. */
    private static DeliveryFailure ambiguous(MxTarget target, int dataTimeoutMillis, IOException e) {
        return ambiguous(target, dataTimeoutMillis, e, "the final dot");
    }

    private static DeliveryFailure ambiguous(MxTarget target, int dataTimeoutMillis, IOException e, String sent) {
        String what = e instanceof SocketTimeoutException ? "no reply within dataTimeout " + dataTimeoutMillis + " ms"
            : "connection lost (" + SessionOpener.describe(e) + ")";
        return new DeliveryFailure(FailureKind.AMBIGUOUS_AFTER_DOT, "4.4.2", "delivery uncertain: " + what + " after "
            + sent + " to " + target + "; the receiver may have accepted the message, so no other MX is tried "
            + "now and it is retried later");
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

    /** The message as BDAT carries it, when its estimated and its exact size are within {@link #CHUNKING_MAX_BYTES}. */
    private static Optional<MessageBytes> chunkOf(EightBitDowngrade.Prepared content, long size) throws IOException {
        long estimate = content.converted() ? content.convertedSize() : size;
        if (estimate < 0 || estimate > CHUNKING_MAX_BYTES) {
            return Optional.empty();
        }
        try {
            return SmtpConnection.chunkOf(content.message(), CHUNKING_MAX_BYTES);
        } catch (MessagingException e) {
            throw new IOException("cannot read the message to send: " + e.getMessage(), e);
        }
    }

    private static void writeBody(SmtpConnection connection, EightBitDowngrade.Prepared content) throws IOException {
        try {
            connection.writeMessage(content.message());
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
