package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamestls.delivery.session.TransactionFixtures.mailsWithADelivery;
import static org.jamestls.delivery.session.TransactionFixtures.outcomes;
import static org.jamestls.delivery.session.TransactionFixtures.reusingPool;
import static org.jamestls.delivery.session.TransactionFixtures.send;

import java.util.List;

import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two mails in a row over one pooled session, as the receiver hears them: MAIL FROM, every RCPT TO and DATA in one
 * write to a receiver offering PIPELINING (RFC 2920; this scripted receiver holds those replies until DATA, so a
 * lock-step client would hang), each command after its reply to one that does not; no RSET after a completed
 * transaction, RSET after an aborted one; no message byte when no recipient was accepted. A scripted receiver,
 * because a real one cannot show which commands arrived before which reply.
 *
 * <p>Local parts starting with {@code reject} get 550, {@code closing} 421 (the receiver then closes). In the
 * transcript {@code +} joins commands sent in one write and {@code .} is a message's end.
 */
class TransactionDialogueTest {
    @ParameterizedTest(name = "pipelining={0} MAIL FROM={1}: [{2}] then [{3}] -> {4}")
    @CsvSource(delimiter = ';', value = {
        // mixed RCPT replies: the refused recipient alone fails, the next mail follows without RSET
        "true;  250 2.1.0 ok;    a reject-b c;      d; DPD | D; EHLO STARTTLS EHLO MAIL+RCPT+RCPT+RCPT+DATA . MAIL+RCPT+DATA .; 1",
        // no recipient accepted: DATA's 554 is expected, no body goes, RSET before the next mail
        "true;  250 2.1.0 ok;    reject-a reject-b; c; PP | D;  EHLO STARTTLS EHLO MAIL+RCPT+RCPT+DATA RSET MAIL+RCPT+DATA .; 1",
        // the sender refused: the group's replies are read to the end, RSET before the next mail
        "true;  550 5.7.1 no;    a b;               c; PP | P;  EHLO STARTTLS EHLO MAIL+RCPT+RCPT+DATA RSET MAIL+RCPT+DATA; 1",
        // a 421 in the middle of the group: every recipient deferred, the next mail on a new session
        "true;  250 2.1.0 ok;    a closing-b c;     d; TTT | D; EHLO STARTTLS EHLO MAIL+RCPT+RCPT EHLO STARTTLS EHLO MAIL+RCPT+DATA .; 2",
        // without PIPELINING: lock-step as before, but no RSET after a completed transaction
        "false; 250 2.1.0 ok;    a reject-b c;      d; DPD | D; EHLO STARTTLS EHLO MAIL RCPT RCPT RCPT DATA . MAIL RCPT DATA .; 1",
        "false; 250 2.1.0 ok;    reject-a reject-b; c; PP | D;  EHLO STARTTLS EHLO MAIL RCPT RCPT RSET MAIL RCPT DATA .; 1",
        "false; 550 5.7.1 no;    a b;               c; PP | P;   EHLO STARTTLS EHLO MAIL RSET MAIL; 1"
    })
    void theReceiverHearsOneGroupPerTransactionWhenItPipelines(boolean pipelining, String mailFromReply, String first,
                                                              String second, String expectedOutcomes, String transcript,
                                                              int connections) throws Exception {
        ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).answeringMailFrom(mailFromReply)
            .rejectingRecipientsStartingWith("reject").answeringRecipientsStartingWith("closing", "421 4.3.2 closing");
        try (ScriptedSmtpServer server = pipelining ? receiver.offeringPipelining() : receiver;
             SessionPool pool = reusingPool()) {
            List<HostAttemptResult> results = send(new HostDelivery(5000, 5000, pool), server, first, second);

            assertThat(outcomes(results, first, second)).isEqualTo(expectedOutcomes);
            assertThat(server.transcript()).isEqualTo(transcript);
            assertThat(server.connections()).isEqualTo(connections);
            assertThat(server.messagesAccepted()).as("mails taken").isEqualTo(mailsWithADelivery(expectedOutcomes));
        }
    }
}
