package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What happens after a TLS failure: the next MX, a later retry, or Momentum's ifavailable fallback. */
@ExtendWith(SharedEnvironment.class)
class MxFailoverAndRetryIT {
    /** A plaintext MX before a TLS one, a switchable receiver, a broken handshake, and a domain with only an A record. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("failover.test", "rx-plain.receivers.test", 10)
        .mx("failover.test", "rx-tls-2.receivers.test", 20)
        .mx("fixed-later.test", "rx-switch.receivers.test", 10)
        .mx("fallback.broken.test", "rx-broken.receivers.test", 10)
        // no MX at all: James falls back to the A record
        .a("a-only.test", TestNetwork.RX_TLS_1_IP)
        .build();

    @Test
    void requiredFallsOverToTheSecondMxThatOffersTls(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("failover", "failover.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("failover")).to(recipient).send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_TLS_2);
        assertThat(received.tlsUsed()).as(received.receivedHeader()).isTrue();
        assertThat(james.logLines(DeliveryLog.attempts("failover.test").mx("rx-plain.receivers.test")
            .outcomeContaining("does not offer STARTTLS (4.7.6)").regex())).isNotEmpty();
        assertThat(james.logLines(DeliveryLog.deferrals("failover.test").regex())).isEmpty();
    }

    @Test
    void deferredMailIsDeliveredOnRetryOnceTheReceiverOffersTls(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("later", "fixed-later.test");
        try {
            james.submitter().mail().from(TlsScenarios.uniqueSender("fixed")).to(recipient).send();
            james.awaitLog(DeliveryLog.deferrals("fixed-later.test").recipient(recipient).retry(1)
                .reasonContaining("does not offer STARTTLS").regex(), TlsScenarios.DELIVERY_TIMEOUT);
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
        assertThat(james.logLines(DeliveryLog.attempts("fallback.broken.test").outcome("failed: TLS negotiation").regex()))
            .hasSize(1);
        assertThat(james.logLines(DeliveryLog.attempts("fallback.broken.test").plaintextFallback()
            .outcome("delivered 1/1 over plaintext").regex())).hasSize(1);
        assertThat(james.logLines(DeliveryLog.deferrals("fallback.broken.test").regex())).isEmpty();
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
