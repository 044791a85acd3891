package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpProbe;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PIPELINING (RFC 2920) with CHUNKING (RFC 3030) against a real Postfix, which offers both: a mail goes as one group
 * of MAIL FROM, every RCPT TO and {@code BDAT <n> LAST} with the message, the replies matched in order. One mail to
 * three recipients of which Postfix refuses one at RCPT time (550 5.1.1): the two accepted get it once, the refused
 * one is bounced with 5.1.1, and a second mail on the same session arrives once. A message with lines starting with
 * "." and 8-bit text arrives as submitted (no dot-stuffing in BDAT). No recipient accepted: Postfix discards the bytes
 * and answers BDAT with an error, the recipients are bounced by their RCPT replies, the next mail follows on the
 * session. That the mails went by BDAT shows in our attempt log ({@code transfer=BDAT}) and in Postfix's own
 * ({@code bdat=} in its per-session command counts). (The unit tests {@code ChunkingTransactionTest} show the grouping
 * on the wire; Postfix does not log it.)
 */
@ExtendWith(SharedEnvironment.class)
class PipelinedRecipientsIT {
    private static final String DOMAIN = "required.pipelined.test";

    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx(DOMAIN, "rx-tls-1.receivers.test", 10)
        .build();

    @BeforeEach
    void theRealReceiverOffersPipeliningAndChunking() throws Exception {
        assertThat(SmtpProbe.probe(TestNetwork.RX_TLS_1_IP, TestNetwork.RECEIVER_PORT).ehloLines)
            .as("the real receiver offers PIPELINING and CHUNKING")
            .anyMatch(line -> line.contains("PIPELINING")).anyMatch(line -> line.contains("CHUNKING"));
    }

    @Test
    void oneRefusedRecipientOfThreeIsBouncedAloneAndTheOthersGetTheMailOnce(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String tag = SmtpSubmitter.uniqueSubject("p").toLowerCase();
        String first = "ok1-" + tag + "@" + DOMAIN;
        String refused = "reject-" + tag + "@" + DOMAIN;
        String third = "ok3-" + tag + "@" + DOMAIN;
        String next = "next-" + tag + "@" + DOMAIN;
        String sender = TlsScenarios.uniqueSender("pipe");

        james.submitter().mail().from(sender).to(first, refused, third).send();
        TlsScenarios.awaitDelivered(env, first);
        james.submitter().mail().from(sender).to(next).send();

        ReceivedMessage delivered = TlsScenarios.awaitDelivered(env, third);
        TlsScenarios.awaitDelivered(env, next);
        List<ReceivedMessage> dsns = env.receivers().awaitMessagesFor(sender, 1, TlsScenarios.BOUNCE_TIMEOUT);

        assertThat(delivered.tlsUsed()).isTrue();
        assertThat(dsns).singleElement().satisfies(dsn -> assertThat(dsn.raw())
            .contains("Final-Recipient: rfc822; " + refused, "Status: 5.1.1")
            .doesNotContain("Final-Recipient: rfc822; " + first).doesNotContain("Final-Recipient: rfc822; " + third));
        for (String recipient : List.of(first, third, next)) {
            assertThat(env.receivers().countMessagesFor(recipient)).as(recipient).isEqualTo(1);
        }
        assertThat(env.receivers().countMessagesFor(refused)).isZero();
        assertThat(attemptsOf(james, "delivered 2/3")).as("sent by BDAT").allMatch(line -> line.endsWith(" transfer=BDAT"));
        assertThat(attemptsOf(james, "delivered 1/1")).allMatch(line -> line.endsWith(" transfer=BDAT"));
        awaitPostfixSessionByBdat(env);
    }

    @Test
    void linesStartingWithADotAndEightBitTextArriveAsSubmitted(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String recipient = "dots-" + SmtpSubmitter.uniqueSubject("d").toLowerCase() + "@" + DOMAIN;
        // the submitter dot-stuffs for James's DATA; BDAT must carry these lines as they are
        String body = "first line\n.one dot\n..two dots\n.\nCafé, naïve, Grüße\nlast line";

        String messageId = james.submitter().mail().from(TlsScenarios.uniqueSender("dots")).to(recipient)
            .header("Content-Transfer-Encoding", "8bit").mailParameter("BODY=8BITMIME").body(body).send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.body()).isEqualTo(body + "\n");
        assertThat(received.messageId()).isEqualTo(messageId);
        assertThat(received.header("Content-Transfer-Encoding")).contains("8bit");
        String afterPostfix = received.raw().replace("\r\n", "\n");
        afterPostfix = afterPostfix.substring(afterPostfix.indexOf("\nReceived: from", afterPostfix.indexOf("Received: ") + 1) + 1);
        assertThat(afterPostfix).as("what James sent, from its own Received header on")
            .contains("\nSubject: ", "\nMessage-ID: " + messageId + "\n").endsWith("\n\n" + body + "\n");
        assertThat(attemptsOf(james, "outcome=delivered 1/1")).as("every mail to the domain so far went by BDAT")
            .isNotEmpty().allMatch(line -> line.endsWith(" transfer=BDAT"));
    }

    @Test
    void noRecipientAcceptedBouncesThemByTheirRcptRepliesAndTheSessionGoesOn(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String tag = SmtpSubmitter.uniqueSubject("n").toLowerCase();
        String refusedOne = "reject1-" + tag + "@" + DOMAIN;
        String refusedTwo = "reject2-" + tag + "@" + DOMAIN;
        String next = "after-" + tag + "@" + DOMAIN;
        String sender = TlsScenarios.uniqueSender("none");

        james.submitter().mail().from(sender).to(refusedOne, refusedTwo).send();
        // one DSN per distinct reason, and each refusal names its recipient
        List<ReceivedMessage> dsns = env.receivers().awaitMessagesFor(sender, 2, TlsScenarios.BOUNCE_TIMEOUT);
        james.submitter().mail().from(sender).to(next).send();
        TlsScenarios.awaitDelivered(env, next);

        assertThat(dsns).hasSize(2).allSatisfy(dsn -> assertThat(dsn.raw()).contains("Status: 5.1.1"));
        assertThat(dsns.get(0).raw() + dsns.get(1).raw())
            .contains("Final-Recipient: rfc822; " + refusedOne, "Final-Recipient: rfc822; " + refusedTwo);
        assertThat(env.receivers().countMessagesFor(refusedOne) + env.receivers().countMessagesFor(refusedTwo)).isZero();
        assertThat(env.receivers().countMessagesFor(next)).isEqualTo(1);
        assertThat(attemptsOf(james, "delivered 0/2")).isNotEmpty().allMatch(line -> line.contains(refusedOne + ": ")
            && line.endsWith(" transfer=BDAT"));
    }

    /** Our attempt lines to the domain that contain {@code text}. */
    private static List<String> attemptsOf(JamesServer james, String text) {
        return james.logLines("Delivery attempt: mail=\\S+-to-" + DOMAIN.replace(".", "\\.") + " .*"
            + java.util.regex.Pattern.quote(text));
    }

    /** Postfix counts each session's commands when it ends (an idle session ends after connectionIdleTime). */
    private static void awaitPostfixSessionByBdat(TestEnvironment env) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (env.receivers().log().lines().anyMatch(line -> line.matches(".*disconnect from .* bdat=[1-9].*"))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no Postfix session with bdat= in its command counts:\n"
            + env.receivers().log().lines().filter(line -> line.contains("disconnect from")).reduce("", (a, b) -> a + b + "\n"));
    }
}
