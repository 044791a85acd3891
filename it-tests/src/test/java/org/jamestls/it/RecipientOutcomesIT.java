package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-recipient answers from a real Postfix (550 for reject-*, 451 for tempfail-*): rejected recipients
 * bounce alone, deferred ones are retried alone, accepted ones get the mail exactly once, and a mail to
 * several domains is split per domain.
 */
@ExtendWith(SharedEnvironment.class)
class RecipientOutcomesIT {

    @Test
    void eachRecipientEndsDeliveredOrBouncedAndNothingIsSentTwice(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String tag = SmtpSubmitter.uniqueSubject("r").toLowerCase();
        String accepted = "ok-" + tag + "@rcpt.test";
        String rejected = "reject-" + tag + "@rcpt.test";
        String deferred = "tempfail-" + tag + "@rcpt.test";
        String otherDomain = "split-" + tag + "@other.prec.test";
        String sender = TlsScenarios.uniqueSender("rcpt");

        james.submitter().mail().from(sender).to(accepted, rejected, deferred, otherDomain).send();

        env.receivers().awaitMessagesFor(accepted, 1, TlsScenarios.DELIVERY_TIMEOUT);
        env.receivers().awaitMessagesFor(otherDomain, 1, TlsScenarios.DELIVERY_TIMEOUT);
        // first the immediate DSN for the 550, then, once retries run out, the one for the 451
        ReceivedMessage secondDsn = env.receivers().awaitMessagesFor(sender, 2, TlsScenarios.BOUNCE_TIMEOUT).get(1);
        String dsns = env.receivers().messagesFor(sender).stream().map(ReceivedMessage::raw).reduce("", String::concat);

        assertThat(dsns).contains("Final-Recipient: rfc822; " + rejected, "Status: 5.1.1");
        assertThat(dsns).contains("Final-Recipient: rfc822; " + deferred, "failed after 5 retries");
        assertThat(dsns).doesNotContain("Final-Recipient: rfc822; " + accepted);
        assertThat(secondDsn.raw()).isNotNull();
        assertThat(env.receivers().countMessagesFor(accepted)).as("accepted once, never re-sent on retries").isEqualTo(1);
        assertThat(env.receivers().countMessagesFor(otherDomain)).isEqualTo(1);
        assertThat(env.receivers().countMessagesFor(rejected)).isZero();
        assertThat(env.receivers().countMessagesFor(deferred)).isZero();
        assertThat(james.logLines("Deferring mail=\\S+-to-rcpt\\.test domain=rcpt\\.test recipients=\\[" + deferred + "\\] retry=5/5")).hasSize(1);
    }
}
