package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What happens after a TLS failure: the next MX, a later retry, or Momentum's ifavailable fallback. */
@ExtendWith(SharedEnvironment.class)
class MxFailoverAndRetryIT {

    @Test
    void requiredFallsOverToTheSecondMxThatOffersTls(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("failover", "failover.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("failover")).to(recipient).send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_TLS_2);
        assertThat(received.tlsUsed()).as(received.receivedHeader()).isTrue();
        assertThat(james.logLines("Delivery attempt: .*domain=failover\\.test mx=rx-plain\\.receivers\\.test .*does not offer STARTTLS \\(4\\.7\\.6\\)"))
            .isNotEmpty();
        assertThat(james.logLines("Deferring mail=\\S+-to-failover\\.test ")).isEmpty();
    }

    @Test
    void deferredMailIsDeliveredOnRetryOnceTheReceiverOffersTls(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("later", "fixed-later.test");
        try {
            james.submitter().mail().from(TlsScenarios.uniqueSender("fixed")).to(recipient).send();
            james.awaitLog("Deferring mail=\\S+-to-fixed-later\\.test .*" + recipient + ".*retry=1/.*does not offer STARTTLS",
                TlsScenarios.DELIVERY_TIMEOUT);
            assertThat(env.receivers().countMessagesFor(recipient)).isZero();

            env.receivers().setMode(TestNetwork.RX_SWITCHABLE, TlsMode.STARTTLS);

            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_SWITCHABLE);
            assertThat(received.tlsUsed()).as(received.receivedHeader()).isTrue();
        } finally {
            env.receivers().setMode(TestNetwork.RX_SWITCHABLE, TlsMode.NO_STARTTLS);
        }
    }

    @Test
    void ifavailableWithFallbackRetriesAtOnceInPlaintextAfterAFailedHandshake(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("fallback", "fallback.broken.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("fallback")).to(recipient).send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_BROKEN);
        assertThat(received.tlsUsed()).as(received.receivedHeader()).isFalse();
        assertThat(james.logLines("Delivery attempt: .*domain=fallback\\.broken\\.test .*outcome=failed: TLS negotiation")).hasSize(1);
        assertThat(james.logLines("Delivery attempt: .*domain=fallback\\.broken\\.test .*\\(plaintext fallback\\) outcome=delivered 1/1 over plaintext"))
            .hasSize(1);
        assertThat(james.logLines("Deferring mail=\\S+-to-fallback\\.broken\\.test ")).isEmpty();
    }

    @Test
    void domainWithoutMxIsDeliveredToItsAddressRecord(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("a", "a-only.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("aonly")).to(recipient).send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_TLS_1);
    }
}
