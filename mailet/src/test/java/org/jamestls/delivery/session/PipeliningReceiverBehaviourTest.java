package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamestls.delivery.session.TransactionFixtures.mailsWithADelivery;
import static org.jamestls.delivery.session.TransactionFixtures.outcomes;
import static org.jamestls.delivery.session.TransactionFixtures.reusingPool;
import static org.jamestls.delivery.session.TransactionFixtures.send;

import java.util.List;

import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.ReplySegments;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10 item 5: receivers that pipeline in the ways RFC 2920 allows, and the same outcomes from each. A receiver
 * holding a group's replies until DATA and sending them in one segment (coalesced), one that offers PIPELINING but
 * answers each command alone after a pause (lock-step, the client's group already sent), one without PIPELINING; each
 * with its replies whole or cut into TCP segments (mid-line and across replies, between the lines of a multi-line
 * EHLO answer, CR apart from LF), the greeting and both EHLO answers (plaintext and TLS) included; a 421 in the middle
 * of a group, with the receiver closing or staying open. A scripted receiver, because a real one cannot be made to
 * cut its replies or answer a pipelined group one command at a time on cue.
 *
 * <p>Local parts starting with {@code reject} get 550, {@code closing} 421. Mails are separated by {@code /},
 * outcomes as {@link TransactionFixtures#outcomes}.
 */
class PipeliningReceiverBehaviourTest {
    /** How the receiver answers a transaction's commands. */
    enum Receiver {
        HOLDS_GROUP, ONE_AT_A_TIME, NO_PIPELINING;

        ScriptedSmtpServer configure(ScriptedSmtpServer server) {
            switch (this) {
                case HOLDS_GROUP:
                    return server.offeringPipelining();
                case ONE_AT_A_TIME:
                    return server.offeringPipeliningAnsweringOneAtATime();
                default:
                    return server;
            }
        }
    }

    @ParameterizedTest(name = "{0}, replies {1}: {2} -> {3}")
    @CsvSource(delimiter = ';', value = {
        // coalesced: MAIL FROM's and the RCPTs' replies in one segment
        "HOLDS_GROUP;   WHOLE;            a reject-b c / d;      DPD | D",
        "HOLDS_GROUP;   WHOLE;            reject-a reject-b / c; PP | D",
        // advertises PIPELINING, answers one command at a time: the same outcomes
        "ONE_AT_A_TIME; WHOLE;            a reject-b c / d;      DPD | D",
        "ONE_AT_A_TIME; WHOLE;            reject-a reject-b / c; PP | D",
        "ONE_AT_A_TIME; WHOLE;            a b / c;               DD | D",
        // a reply cut across segments: coalesced replies cut mid-line and across replies, line by line, CR apart from LF
        "HOLDS_GROUP;   MID_LINE;         a reject-b c / d;      DPD | D",
        "HOLDS_GROUP;   AT_LINE_ENDS;     a reject-b c / d;      DPD | D",
        "HOLDS_GROUP;   CR_APART_FROM_LF; a reject-b c / d;      DPD | D",
        "HOLDS_GROUP;   MID_LINE;         reject-a reject-b / c; PP | D",
        "ONE_AT_A_TIME; MID_LINE;         a reject-b c / d;      DPD | D",
        "ONE_AT_A_TIME; CR_APART_FROM_LF; reject-a reject-b / c; PP | D",
        "NO_PIPELINING; MID_LINE;         a reject-b c / d;      DPD | D",
        "NO_PIPELINING; AT_LINE_ENDS;     reject-a reject-b / c; PP | D",
        "NO_PIPELINING; CR_APART_FROM_LF; a b / c;               DD | D"
    })
    void everyReceiverGetsTheSameOutcomes(Receiver receiver, ReplySegments segments, String mails, String expected)
            throws Exception {
        String[] each = mails.split("/");
        try (ScriptedSmtpServer server = receiver(receiver, segments); SessionPool pool = reusingPool()) {
            List<HostAttemptResult> results = send(new HostDelivery(5000, 5000, pool), server, each);

            assertThat(outcomes(results, each)).isEqualTo(expected);
            assertThat(server.connections()).as("one session carried both mails").isEqualTo(1);
            assertThat(server.messagesAccepted()).isEqualTo(mailsWithADelivery(expected));
            assertThat(server.transcript().contains("MAIL+RCPT+")).as("the client pipelined")
                .isEqualTo(receiver != Receiver.NO_PIPELINING);
        }
    }

    /**
     * A 421 in the middle of a group: the recipients not yet answered (and those accepted before it, the transaction
     * being over) share its 4.3.2, a refused one keeps its 550; the session is closed, not given back, even when the
     * receiver keeps the connection open; the next mail opens a new session and is delivered.
     */
    @ParameterizedTest(name = "{0}, replies {1}, stays open={2}: {3} -> {4}")
    @CsvSource(delimiter = ';', value = {
        "HOLDS_GROUP;   WHOLE;            false; a reject-b closing-c d; TPTT",
        "HOLDS_GROUP;   WHOLE;            true;  a reject-b closing-c d; TPTT",
        "HOLDS_GROUP;   MID_LINE;         true;  closing-a b;            TT",
        "ONE_AT_A_TIME; WHOLE;            true;  a reject-b closing-c d; TPTT",
        "ONE_AT_A_TIME; CR_APART_FROM_LF; false; a closing-b c;          TTT",
        "NO_PIPELINING; WHOLE;            true;  a closing-b c;          TTT"
    })
    void a421InTheGroupEndsTheSession(Receiver receiver, ReplySegments segments, boolean staysOpen, String first,
                                      String expected) throws Exception {
        ScriptedSmtpServer configured = receiver(receiver, segments);
        try (ScriptedSmtpServer server = staysOpen ? configured.stayingOpenAfter421() : configured;
             SessionPool pool = reusingPool()) {
            HostDelivery delivery = new HostDelivery(5000, 5000, pool);

            List<HostAttemptResult> firstResult = send(delivery, server, first);
            int openAfterThe421 = pool.openConnections();
            List<HostAttemptResult> second = send(delivery, server, "next");

            assertThat(outcomes(firstResult, first)).isEqualTo(expected);
            assertThat(firstResult.get(0).recipientOutcomes()).filteredOn(outcome ->
                    outcome.status() == RecipientOutcome.Status.TEMPORARY_FAILURE)
                .allSatisfy(outcome -> assertThat(outcome.failure().orElseThrow().enhancedStatus()).isEqualTo("4.3.2"));
            assertThat(openAfterThe421).as("the session is not kept").isZero();
            assertThat(outcomes(second, "next")).isEqualTo("D");
            assertThat(server.connections()).as("the next mail opened a new session").isEqualTo(2);
        }
    }

    /** A 421 to MAIL FROM in a pipelined group: every recipient shares it, the session goes, the next mail is delivered. */
    @ParameterizedTest(name = "{0}, stays open={1}")
    @CsvSource({"HOLDS_GROUP, false", "HOLDS_GROUP, true", "ONE_AT_A_TIME, true"})
    void a421ToMailFromIsSharedByEveryRecipient(Receiver receiver, boolean staysOpen) throws Exception {
        ScriptedSmtpServer configured = receiver(receiver, ReplySegments.WHOLE).closingChannelAtMessage(1);
        try (ScriptedSmtpServer server = staysOpen ? configured.stayingOpenAfter421() : configured;
             SessionPool pool = reusingPool()) {
            List<HostAttemptResult> results = send(new HostDelivery(5000, 5000, pool), server, "a b", "c");

            assertThat(outcomes(results, "a b", "c")).isEqualTo("TT | D");
            assertThat(results.get(0).recipientOutcomes())
                .allSatisfy(outcome -> assertThat(outcome.failure().orElseThrow().enhancedStatus()).isEqualTo("4.3.2"));
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    private static ScriptedSmtpServer receiver(Receiver receiver, ReplySegments segments) throws Exception {
        return receiver.configure(new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS)).cuttingReplies(segments)
            .rejectingRecipientsStartingWith("reject").answeringRecipientsStartingWith("closing", "421 4.3.2 closing");
    }
}
