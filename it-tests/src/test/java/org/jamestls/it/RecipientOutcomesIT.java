package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One mail, several recipients, each answered differently by a real Postfix at RCPT time, for each TLS level:
 * 550 and 552 bounce at once, 451 and 452 are retried alone and bounce when retries run out (one DSN per
 * distinct reason, as the DSN's Status field holds one reason), the
 * accepted recipient gets the mail exactly once (never re-sent with the retries), and a recipient in a
 * second domain is split off and delivered on its own.
 */
@ExtendWith(SharedEnvironment.class)
class RecipientOutcomesIT {
    /** <level>.rcpt.test to the receiver answering by local part, and the second domain split off. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("no.rcpt.test", "rx-tls-1.receivers.test", 10)
        .mx("ifavailable.rcpt.test", "rx-tls-1.receivers.test", 10)
        .mx("required.rcpt.test", "rx-tls-1.receivers.test", 10)
        .mx("other.prec.test", "rx-tls-1.receivers.test", 10)
        .build();


    @ParameterizedTest(name = "tls={0}: 550/552 bounce at once, 451/452 retried then bounced, the rest delivered once")
    @ValueSource(strings = {"no", "ifavailable", "required"})
    void eachRecipientEndsDeliveredOrBouncedAndNothingIsSentTwice(String level, TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String domain = level + ".rcpt.test";
        String tag = SmtpSubmitter.uniqueSubject("r").toLowerCase();
        String accepted = "ok-" + tag + "@" + domain;
        String rejected = "reject-" + tag + "@" + domain;
        String overQuota = "quota-" + tag + "@" + domain;
        String deferred = "tempfail-" + tag + "@" + domain;
        String full = "full-" + tag + "@" + domain;
        String otherDomain = "split-" + tag + "@other.prec.test";
        String sender = TlsScenarios.uniqueSender("rcpt");

        james.submitter().mail().from(sender).to(accepted, rejected, overQuota, deferred, full, otherDomain).send();

        ReceivedMessage delivered = env.receivers().awaitMessagesFor(accepted, 1, TlsScenarios.DELIVERY_TIMEOUT).get(0);
        env.receivers().awaitMessagesFor(otherDomain, 1, TlsScenarios.DELIVERY_TIMEOUT);
        List<ReceivedMessage> dsns = env.receivers().awaitMessagesFor(sender, 4, TlsScenarios.BOUNCE_TIMEOUT);

        assertThat(delivered.tlsUsed()).as("channel follows tls=" + level).isEqualTo(!level.equals("no"));
        assertThat(dsnFor(dsns, rejected)).contains("Status: 5.1.1 ").doesNotContain("retries");
        assertThat(dsnFor(dsns, overQuota)).contains("Status: 5.2.2 ").doesNotContain("retries");
        assertThat(dsnFor(dsns, deferred)).contains("Status: 5.3.0 ", "failed after 5 retries");
        assertThat(dsnFor(dsns, full)).contains("Status: 5.2.2 ", "failed after 5 retries");
        assertThat(dsns).noneMatch(dsn -> dsn.raw().contains("Final-Recipient: rfc822; " + accepted));
        assertThat(env.receivers().countMessagesFor(accepted)).as("accepted once, never re-sent on retries").isEqualTo(1);
        assertThat(env.receivers().countMessagesFor(otherDomain)).isEqualTo(1);
        for (String refused : List.of(rejected, overQuota, deferred, full)) {
            assertThat(env.receivers().countMessagesFor(refused)).as(refused).isZero();
        }
        assertThat(james.logLines(DeliveryLog.deferrals(domain).recipient(deferred).retry(5, 5).regex())).hasSize(1);
    }

    /** The one DSN that reports this recipient. */
    private static String dsnFor(List<ReceivedMessage> dsns, String recipient) {
        List<String> matching = dsns.stream().map(ReceivedMessage::raw)
            .filter(raw -> raw.contains("Final-Recipient: rfc822; " + recipient)).collect(Collectors.toList());
        assertThat(matching).as("DSNs reporting " + recipient).hasSize(1);
        return matching.get(0);
    }
}
