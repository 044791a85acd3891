package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;

import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A proxy in front of a real Postfix breaks the session at one stage (tls=no, so the stage is visible to
 * it): the mail is deferred with the failure logged, and once the fault is repaired the retry delivers it
 * exactly once — except after the final dot, where the receiver already has it and the sender cannot know
 * (the SMTP ambiguity): then the receiver gets it twice, which this test counts rather than hides.
 */
@ExtendWith(SharedEnvironment.class)
class ConnectionFaultsIT {

    static Stream<Arguments> faults() {
        return Stream.of(
            Arguments.of(Fault.RESET_BEFORE_GREETING, "127.0.0.44", "connection to", 1),
            Arguments.of(Fault.GREETING_421, "127.0.0.45", "refused the session: 421", 1),
            Arguments.of(Fault.RESET_AFTER_MAIL_FROM, "127.0.0.46", "connection to", 1),
            Arguments.of(Fault.RESET_DURING_DATA, "127.0.0.47", "connection to", 1),
            Arguments.of(Fault.RESET_AFTER_FINAL_DOT, "127.0.0.48", "connection to", 2));
    }

    @ParameterizedTest(name = "{0}: deferred, then delivered {3} time(s) once repaired")
    @MethodSource("faults")
    void faultDefersAndTheRepairDelivers(Fault fault, String proxyIp, String logged, int copies, TestEnvironment env)
            throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String domain = fault.name().toLowerCase().replace('_', '-') + ".faults.test";
        String proxyHost = "proxy-" + domain;
        env.dns().update(records -> records.a(proxyHost, proxyIp).mx(domain, proxyHost, 10));
        String recipient = TlsScenarios.uniqueRecipient("fault", domain);
        try (SmtpFaultProxy proxy = new SmtpFaultProxy(fault, proxyIp, TestNetwork.RECEIVER_PORT,
                TestNetwork.RX_TLS_1_IP, TestNetwork.RECEIVER_PORT)) {
            james.submitter().mail().from(TlsScenarios.uniqueSender("fault")).to(recipient).send();

            String deferral = james.awaitLog("Deferring mail=\\S+-to-" + domain.replace(".", "\\.") + " .*retry=1/",
                TlsScenarios.DELIVERY_TIMEOUT);
            assertThat(deferral).contains(logged);
            proxy.heal();

            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.tlsUsed()).isFalse();
            env.receivers().assertNoMessage("never-" + recipient, Duration.ofSeconds(3));
            assertThat(env.receivers().countMessagesFor(recipient)).isEqualTo(copies);
        }
    }
}
