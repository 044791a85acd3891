package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each STARTTLS mode against each receiver behaviour, over a real socket to a scripted receiver. */
class HostDeliveryTest {
    private final HostDelivery hostDelivery = new HostDelivery(5000, 5000, TestTls.noReuse());

    /** mode, receiver, expected delivered?, expected TLS?, expected failure status (or null). */
    static Stream<Arguments> matrix() {
        return Stream.of(
            Arguments.of(StartTlsMode.NEVER, TlsBehaviour.STARTTLS_WORKS, true, false, null),
            Arguments.of(StartTlsMode.NEVER, TlsBehaviour.STARTTLS_NOT_OFFERED, true, false, null),
            Arguments.of(StartTlsMode.NEVER, TlsBehaviour.HANDSHAKE_FAILS, true, false, null),
            Arguments.of(StartTlsMode.IF_OFFERED, TlsBehaviour.STARTTLS_WORKS, true, true, null),
            Arguments.of(StartTlsMode.IF_OFFERED, TlsBehaviour.STARTTLS_NOT_OFFERED, true, false, null),
            Arguments.of(StartTlsMode.IF_OFFERED, TlsBehaviour.HANDSHAKE_FAILS, false, false, "4.7.5"),
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.STARTTLS_WORKS, true, true, null),
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.STARTTLS_NOT_OFFERED, false, false, "4.7.6"),
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.HANDSHAKE_FAILS, false, false, "4.7.5"));
    }

    @ParameterizedTest(name = "{0} against {1}")
    @MethodSource("matrix")
    void modeAgainstReceiver(StartTlsMode mode, TlsBehaviour behaviour, boolean delivered, boolean overTls,
                             String failureStatus) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(behaviour)) {
            HostAttemptResult result = hostDelivery.attempt(target(server), plan(mode), mail(), List.of(new MailAddress("to@dest.test")));

            assertThat(server.dataReceived()).isEqualTo(delivered);
            assertThat(result.isTransacted()).isEqualTo(delivered);
            assertThat(result.tls().isPresent()).isEqualTo(overTls);
            if (delivered) {
                assertThat(server.dataReceivedOverTls()).isEqualTo(overTls);
                assertThat(result.recipientOutcomes()).extracting(RecipientOutcome::status)
                    .containsExactly(RecipientOutcome.Status.DELIVERED);
            } else {
                assertThat(result.connectionFailure().orElseThrow().enhancedStatus()).isEqualTo(failureStatus);
                assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL FROM"));
            }
            assertThat(server.commands().contains("STARTTLS"))
                .isEqualTo(mode != StartTlsMode.NEVER && behaviour != TlsBehaviour.STARTTLS_NOT_OFFERED);
        }
    }

    /** For TLS reports: the failure point's TLS problem (stage), and the address the connection was made from. */
    static Stream<Arguments> tlsProblems() {
        return Stream.of(
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.STARTTLS_NOT_OFFERED, "STARTTLS_NOT_OFFERED"),
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.HANDSHAKE_FAILS, "HANDSHAKE_FAILED"),
            Arguments.of(StartTlsMode.IF_OFFERED, TlsBehaviour.HANDSHAKE_FAILS, "HANDSHAKE_FAILED"),
            Arguments.of(StartTlsMode.MANDATORY, TlsBehaviour.STARTTLS_WORKS, "-"),
            Arguments.of(StartTlsMode.IF_OFFERED, TlsBehaviour.STARTTLS_NOT_OFFERED, "-"));
    }

    @ParameterizedTest(name = "{0} against {1}: {2}")
    @MethodSource("tlsProblems")
    void theFailurePointNamesItsTlsProblemAndTheResultItsLocalAddress(StartTlsMode mode, TlsBehaviour behaviour,
                                                                      String stage) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(behaviour)) {
            HostAttemptResult result = hostDelivery.attempt(target(server), plan(mode), mail(),
                List.of(new MailAddress("to@dest.test")));

            assertThat(result.connectionFailure().flatMap(f -> f.tlsProblem()).map(p -> p.stage().name()).orElse("-"))
                .isEqualTo(stage);
            assertThat(result.localAddress()).contains(InetAddress.getLoopbackAddress());
        }
    }

    @Test
    void permanentRecipientRejectionOnlyFailsThatRecipient() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS)
                .rejectingRecipientsStartingWith("nobody")) {
            HostAttemptResult result = hostDelivery.attempt(target(server), plan(StartTlsMode.MANDATORY), mail(),
                List.of(new MailAddress("nobody@dest.test"), new MailAddress("someone@dest.test")));

            assertThat(result.recipientOutcomes()).extracting(o -> o.recipient().asString(), RecipientOutcome::status)
                .containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("nobody@dest.test", RecipientOutcome.Status.PERMANENT_FAILURE),
                    org.assertj.core.groups.Tuple.tuple("someone@dest.test", RecipientOutcome.Status.DELIVERED));
            assertThat(server.commands()).contains("RCPT TO:<nobody@dest.test>", "RCPT TO:<someone@dest.test>");
        }
    }

    @Test
    void mailLargerThanTheAnnouncedSizeBouncesWithoutBeingSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).withSizeLimit(10)) {
            HostAttemptResult result = hostDelivery.attempt(target(server), plan(StartTlsMode.MANDATORY), mail(),
                List.of(new MailAddress("to@dest.test")));

            assertThat(result.recipientOutcomes()).singleElement().satisfies(outcome -> {
                assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
                assertThat(outcome.failure().orElseThrow().enhancedStatus()).isEqualTo("5.3.4");
            });
            assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL FROM"));
            assertThat(server.dataReceived()).isFalse();
        }
    }

    @Test
    void sizeIsDeclaredWhenTheReceiverSupportsIt() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).withSizeLimit(1_000_000)) {
            hostDelivery.attempt(target(server), plan(StartTlsMode.MANDATORY), mail(), List.of(new MailAddress("to@dest.test")));

            assertThat(server.commands()).anyMatch(command -> command.matches("MAIL FROM:<from@source.test> SIZE=\\d+"));
            assertThat(server.dataReceived()).isTrue();
        }
    }

    @Test
    void unreachableAddressIsATemporaryConnectionFailure() throws Exception {
        int closedPort;
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS)) {
            closedPort = server.port();
        }
        HostAttemptResult result = hostDelivery.attempt(new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), closedPort),
            plan(StartTlsMode.MANDATORY), mail(), List.of(new MailAddress("to@dest.test")));

        assertThat(result.connectionFailure().orElseThrow().kind()).isEqualTo(FailureKind.CONNECTION);
        assertThat(result.connectionFailure().orElseThrow().enhancedStatus()).isEqualTo("4.4.1");
        assertThat(result.localAddress()).as("no connection, no local address").isEmpty();
    }

    /**
     * REQUIRETLS (RFC 8689 section 4.2.1 steps 5-6): whether the receiver offers it after STARTTLS, and whether the plan
     * requires it -> delivered, MAIL FROM carrying the parameter, the failure before any transaction.
     */
    @ParameterizedTest(name = "receiver offers REQUIRETLS={0}, plan requires it={1}: delivered={2}, parameter sent={3}")
    @CsvSource(nullValues = "-", value = {
        "true,  true,  true,  true,  -",
        "false, true,  false, false, 5.7.30",
        "true,  false, true,  false, -",
        "false, false, true,  false, -"
    })
    void requireTlsIsCheckedInTheEhloAfterStartTlsAndPassedOn(boolean offered, boolean required, boolean delivered,
                                                              boolean parameterSent, String failureStatus) throws Exception {
        ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS);
        try (ScriptedSmtpServer server = offered ? receiver.offeringRequireTls() : receiver) {
            ConnectionPlan plan = required ? plan(StartTlsMode.MANDATORY).requiringTls(TestTls.unverified())
                : plan(StartTlsMode.MANDATORY);

            HostAttemptResult result = hostDelivery.attempt(target(server), plan, mail(), List.of(new MailAddress("to@dest.test")));

            assertThat(server.dataReceived()).isEqualTo(delivered);
            assertThat(server.commands().stream().anyMatch(c -> c.startsWith("MAIL FROM:") && c.endsWith(" REQUIRETLS")))
                .isEqualTo(parameterSent);
            if (failureStatus != null) {
                assertThat(result.connectionFailure().orElseThrow().enhancedStatus()).isEqualTo(failureStatus);
                assertThat(result.connectionFailure().get().kind()).isEqualTo(FailureKind.REQUIRETLS_MISSING);
                assertThat(result.connectionFailure().get().detail()).contains("does not offer REQUIRETLS after STARTTLS");
                assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL FROM")).contains("QUIT");
            }
        }
    }

    @Test
    void aSessionOpenedForRequireTlsCarriesNoOtherMailAndTheOtherWayRound() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringRequireTls();
             SessionPool pool = new SessionPool(10, java.time.Duration.ofSeconds(30), 4)) {
            HostDelivery reusing = new HostDelivery(5000, 5000, pool);
            ConnectionPlan plain = plan(StartTlsMode.MANDATORY);

            reusing.attempt(target(server), plain.requiringTls(TestTls.unverified()), mail(), List.of(new MailAddress("a@dest.test")));
            reusing.attempt(target(server), plain, mail(), List.of(new MailAddress("b@dest.test")));
            reusing.attempt(target(server), plain.requiringTls(TestTls.unverified()), mail(), List.of(new MailAddress("c@dest.test")));

            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL FROM:")))
                .containsExactly("MAIL FROM:<from@source.test> REQUIRETLS", "MAIL FROM:<from@source.test>",
                    "MAIL FROM:<from@source.test> REQUIRETLS");
        }
    }

    private static MxTarget target(ScriptedSmtpServer server) {
        return new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), server.port());
    }

    private static ConnectionPlan plan(StartTlsMode mode) {
        return new ConnectionPlan(Optional.empty(), "relay.test", mode, TestTls.unverified());
    }

    private static MailImpl mail() throws Exception {
        return MailImpl.builder()
            .name("mail1")
            .sender("from@source.test")
            .addRecipient("to@dest.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .setSubject("hello")
                .setText("body line\r\n.leading dot\r\n"))
            .build();
    }
}
