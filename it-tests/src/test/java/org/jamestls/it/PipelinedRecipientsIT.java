package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PIPELINING (RFC 2920) against a real Postfix, which offers it: one mail to three recipients of which Postfix
 * refuses one at RCPT time (550 5.1.1), sent as one group of MAIL FROM, three RCPT TO and DATA with the replies
 * matched in order, then a second mail on the same session without RSET. The two accepted recipients get the first
 * mail once, the refused one is bounced with 5.1.1, the second mail arrives once. (The unit tests
 * {@code TransactionDialogueTest} show the grouping itself on the wire; Postfix does not log it.)
 */
@ExtendWith(SharedEnvironment.class)
class PipelinedRecipientsIT {
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("required.pipelined.test", "rx-tls-1.receivers.test", 10)
        .build();

    @Test
    void oneRefusedRecipientOfThreeIsBouncedAloneAndTheOthersGetTheMailOnce(TestEnvironment env) throws Exception {
        assertThat(SmtpProbe.probe(TestNetwork.RX_TLS_1_IP, TestNetwork.RECEIVER_PORT).ehloLines)
            .as("the real receiver offers PIPELINING").anyMatch(line -> line.contains("PIPELINING"));
        JamesServer james = TlsScenarios.james(env);
        String tag = SmtpSubmitter.uniqueSubject("p").toLowerCase();
        String domain = "required.pipelined.test";
        String first = "ok1-" + tag + "@" + domain;
        String refused = "reject-" + tag + "@" + domain;
        String third = "ok3-" + tag + "@" + domain;
        String next = "next-" + tag + "@" + domain;
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
    }
}
