package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each tls level against each real Postfix receiver behaviour (STARTTLS works, not offered, handshake
 * fails), through a real James: what the receiver got, and for refusals the deferral and the DSN.
 */
@ExtendWith(SharedEnvironment.class)
class TlsLevelMatrixIT {

    enum Expected { DELIVERED_OVER_TLS, DELIVERED_IN_PLAINTEXT, DEFERRED_THEN_BOUNCED }

    /** {@code <level>.<receiver kind>.matrix.test} to the receiver of that kind. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("no.tls.matrix.test", "rx-tls-1.receivers.test", 10)
        .mx("no.plain.matrix.test", "rx-plain.receivers.test", 10)
        .mx("no.broken.matrix.test", "rx-broken.receivers.test", 10)
        .mx("ifavailable.tls.matrix.test", "rx-tls-1.receivers.test", 10)
        .mx("ifavailable.plain.matrix.test", "rx-plain.receivers.test", 10)
        .mx("ifavailable.broken.matrix.test", "rx-broken.receivers.test", 10)
        .mx("required.tls.matrix.test", "rx-tls-1.receivers.test", 10)
        .mx("required.plain.matrix.test", "rx-plain.receivers.test", 10)
        .mx("required.broken.matrix.test", "rx-broken.receivers.test", 10)
        .build();

    static Stream<Arguments> matrix() {
        return Stream.of(
            Arguments.of("no", "tls", TestNetwork.RX_TLS_1, Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of("no", "plain", TestNetwork.RX_PLAIN, Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of("no", "broken", TestNetwork.RX_BROKEN, Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of("ifavailable", "tls", TestNetwork.RX_TLS_1, Expected.DELIVERED_OVER_TLS, null),
            Arguments.of("ifavailable", "plain", TestNetwork.RX_PLAIN, Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of("ifavailable", "broken", TestNetwork.RX_BROKEN, Expected.DEFERRED_THEN_BOUNCED,
                "TLS negotiation with rx-broken.receivers.test [127.0.0.14]:2525 failed"),
            Arguments.of("required", "tls", TestNetwork.RX_TLS_1, Expected.DELIVERED_OVER_TLS, null),
            Arguments.of("required", "plain", TestNetwork.RX_PLAIN, Expected.DEFERRED_THEN_BOUNCED,
                "TLS required but rx-plain.receivers.test [127.0.0.13]:2525 does not offer STARTTLS (4.7.6)"),
            Arguments.of("required", "broken", TestNetwork.RX_BROKEN, Expected.DEFERRED_THEN_BOUNCED,
                "TLS negotiation with rx-broken.receivers.test [127.0.0.14]:2525 failed"));
    }

    @ParameterizedTest(name = "tls={0} receiver={1}: {3}")
    @MethodSource("matrix")
    void levelAgainstReceiver(String level, String receiverKind, String receiverName, Expected expected, String reason,
                              TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String domain = level + "." + receiverKind + ".matrix.test";
        String sender = TlsScenarios.uniqueSender("matrix-" + level + "-" + receiverKind);
        String recipient = "user-" + SmtpSubmitter.uniqueSubject(level).toLowerCase() + "@" + domain;
        String subject = SmtpSubmitter.uniqueSubject("matrix-" + level + "-" + receiverKind);

        james.submitter().mail().from(sender).to(recipient).subject(subject).send();

        if (expected == Expected.DEFERRED_THEN_BOUNCED) {
            james.awaitLog(DeliveryLog.deferrals(domain).retry(1).regex(), TlsScenarios.DELIVERY_TIMEOUT);
            ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sender);
            assertThat(dsn.raw()).contains("Status: 5.7.10", reason, "tls=" + level, recipient);
            assertThat(env.receivers().countMessagesFor(recipient))
                .as("no byte of the message reached the receiver").isZero();
            assertThat(env.receivers().log()).doesNotContain(subject);
            assertRetriedOnSchedule(james, domain);
        } else {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.subject()).isEqualTo(subject);
            assertThat(received.receiverName()).isEqualTo(receiverName);
            assertThat(received.tlsUsed()).as(received.receivedHeader())
                .isEqualTo(expected == Expected.DELIVERED_OVER_TLS);
            assertThat(james.awaitLog(DeliveryLog.attempts(domain).tls(level).decidedBy("global domain " + domain)
                .outcome("delivered 1/1 over " + (expected == Expected.DELIVERED_OVER_TLS ? "TLS TLSv1" : "plaintext")).regex(),
                TlsScenarios.DELIVERY_TIMEOUT)).isNotNull();
        }
    }

    /**
     * The first attempt and JamesServer.TEST_MAX_RETRIES retries, each after the test schedule's 2 s delay
     * (with room for a loaded machine), and one retry count per deferral.
     */
    private static void assertRetriedOnSchedule(JamesServer james, String domain) {
        List<LocalTime> attempts = james.logLines(DeliveryLog.attempts(domain).regex()).stream()
            .map(line -> LocalTime.parse(line.substring(0, 12)))
            .collect(Collectors.toList());
        assertThat(attempts).hasSize(1 + JamesServer.TEST_MAX_RETRIES);
        for (int i = 1; i < attempts.size(); i++) {
            assertThat(Duration.between(attempts.get(i - 1), attempts.get(i)))
                .isBetween(Duration.ofMillis(1900), Duration.ofMillis(6000));
        }
        for (int retry = 1; retry <= JamesServer.TEST_MAX_RETRIES; retry++) {
            assertThat(james.logLines(DeliveryLog.deferrals(domain).retry(retry, JamesServer.TEST_MAX_RETRIES).delaySeconds(2)
                .regex())).hasSize(1);
        }
    }
}
