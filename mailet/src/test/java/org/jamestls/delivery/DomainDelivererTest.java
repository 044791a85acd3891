package org.jamestls.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.TlsMechanism;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.SenderTls;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.session.HostDelivery;
import org.jamestls.delivery.session.SessionPool;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.testing.FakeDns;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tlsrpt.PolicySnapshot;
import org.jamestls.tlsrpt.TlsRptLimits;
import org.jamestls.tlsrpt.TlsRptStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A plan run as planned against a scripted receiver: the connection it names, the plaintext fallback only where
 * the plan has one and only after a failed handshake, one attempt metric per connection, and the result carrying
 * the mechanism of the MX that settled it; the broken-TLS memory learning from one run and used by the next;
 * TLS-Required: No under tlsRequiredHeader all; no MX meeting REQUIRETLS.
 */
class DomainDelivererTest {
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();
    private final BrokenTlsMemory brokenTls = new BrokenTlsMemory(metricFactory);

    @ParameterizedTest(name = "tls={0} fallback={1} against {2}: delivered={3} over TLS={4}, {5} connection(s)")
    @CsvSource({
        "ifavailable, true,  HANDSHAKE_FAILS,      true,  false, 2, handshake_failed plaintext",
        "ifavailable, false, HANDSHAKE_FAILS,      false, false, 1, handshake_failed",
        "ifavailable, true,  STARTTLS_WORKS,       true,  true,  1, tls",
        "ifavailable, true,  STARTTLS_NOT_OFFERED, true,  false, 1, plaintext",
        "required,    true,  HANDSHAKE_FAILS,      false, false, 1, handshake_failed",
        "required,    true,  STARTTLS_NOT_OFFERED, false, false, 1, starttls_missing",
        "no,          true,  HANDSHAKE_FAILS,      true,  false, 1, plaintext"
    })
    void thePlanIsRunAsPlanned(String level, boolean fallback, TlsBehaviour receiver, boolean delivered, boolean overTls,
                               int connections, String attemptOutcomes) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(receiver);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            DeliveryPlan plan = planner(server).plan(request(level, fallback));

            DomainDeliveryResult result = deliverer(pool).deliver(mail(), List.of(new MailAddress("to@dest.test")), plan);

            assertThat(result.delivered().isEmpty()).isNotEqualTo(delivered);
            assertThat(result.temporaryFailures().isEmpty()).isEqualTo(delivered);
            assertThat(result.tls().isPresent()).isEqualTo(overTls);
            assertThat(server.dataReceived()).isEqualTo(delivered);
            assertThat(server.connections()).isEqualTo(connections);
            assertThat(result.security().mechanism()).isEqualTo(TlsMechanism.POLICY);
            for (String outcome : attemptOutcomes.split(" ")) {
                assertThat(metricFactory.countFor("jamestls_attempts_" + level + "_" + outcome)).as(outcome).isEqualTo(1);
                assertThat(metricFactory.countFor("jamestls_mechanism_policy_" + outcome)).as(outcome).isEqualTo(1);
            }
        }
    }

    /**
     * A domain-wide failure (DNS here; a bogus DNSSEC MX answer likewise) counts one attempt metric and one mechanism
     * metric, so the mechanism metrics add up to the attempt metrics.
     */
    @Test
    void aDomainWideFailureIsCountedUnderItsMechanismToo() throws Exception {
        DeliveryPlanner planner = planner(new FakeDns(), 25);
        try (SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            DomainDeliveryResult result = new DomainDeliverer(new HostDelivery(5000, 5000, pool),
                new DeliveryMetrics(metricFactory)).deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner.plan(request("required", false)));

            assertThat(result.permanentFailures()).hasSize(1);
        }
        assertThat(metricFactory.countFor("jamestls_attempts_required_dns")).isEqualTo(1);
        assertThat(metricFactory.countFor("jamestls_mechanism_policy_dns")).isEqualTo(1);
    }

    @Test
    void aRememberedBrokenHandshakeSendsTheNextRunInPlaintextAtOnce() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.HANDSHAKE_FAILS);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            DeliveryRequest request = request("ifavailable", false, "<tlsRememberBroken>1 hour</tlsRememberBroken>");
            DomainDeliverer deliverer = deliverer(pool);

            DomainDeliveryResult first = deliverer.deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner(server).plan(request));
            DomainDeliveryResult second = deliverer.deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner(server).plan(request));

            assertThat(first.temporaryFailures()).isNotEmpty();
            assertThat(second.delivered()).extracting(MailAddress::asString).containsExactly("to@dest.test");
            assertThat(second.security().mechanism()).isEqualTo(TlsMechanism.BROKEN_TLS);
            assertThat(server.count("STARTTLS")).as("the second run did not try TLS").isEqualTo(1);
            assertThat(brokenTls.list(java.time.Instant.now())).singleElement()
                .satisfies(entry -> assertThat(entry.uses()).isEqualTo(1));
            assertThat(metricFactory.countFor("jamestls_mechanism_broken_tls_plaintext")).isEqualTo(1);
            assertThat(metricFactory.countFor("jamestls_broken_tls_remembered")).isEqualTo(1);
            assertThat(metricFactory.countFor("jamestls_broken_tls_used")).isEqualTo(1);
        }
    }

    @Test
    void tlsRequiredNoUnderAllRetriesAFailedHandshakeInPlaintextAtOnce() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.HANDSHAKE_FAILS);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            DeliveryRequest request = request("required", false, "<tlsRequiredHeader>all</tlsRequiredHeader>")
                .withSenderTls(SenderTls.TLS_REQUIRED_NO);

            DomainDeliveryResult result = deliverer(pool).deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner(server).plan(request));

            assertThat(result.delivered()).extracting(MailAddress::asString).containsExactly("to@dest.test");
            assertThat(result.tls()).isEmpty();
            assertThat(server.connections()).isEqualTo(2);
            assertThat(metricFactory.countFor("jamestls_mechanism_tls_required_no_handshake_failed")).isEqualTo(1);
            assertThat(metricFactory.countFor("jamestls_mechanism_tls_required_no_plaintext")).isEqualTo(1);
        }
    }

    @Test
    void noMxMeetingRequireTlsIsAPermanentFailureNamingEachOne() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringRequireTls();
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            FakeDns dns = new FakeDns().mx("dest.test", "mx1.dest.test", "mx2.dest.test")
                .a("mx1.dest.test", "127.0.0.1").a("mx2.dest.test", "127.0.0.1");

            DomainDeliveryResult result = deliverer(pool).deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner(dns, server.port()).plan(request("ifavailable", false).withSenderTls(SenderTls.REQUIRETLS)));

            assertThat(result.temporaryFailures()).isEmpty();
            assertThat(result.permanentFailures().entrySet()).singleElement().satisfies(entry -> {
                assertThat(entry.getValue().enhancedStatus()).isEqualTo("5.7.30");
                assertThat(entry.getValue().detail()).contains("REQUIRETLS: mx1.dest.test", "REQUIRETLS: mx2.dest.test",
                    "was not found securely");
            });
            assertThat(server.connections()).as("no MX qualifies, none is dialled").isZero();
            assertThat(metricFactory.countFor("jamestls_attempts_ifavailable_requiretls")).isEqualTo(2);
            assertThat(metricFactory.countFor("jamestls_mechanism_requiretls_requiretls")).isEqualTo(2);
        }
    }

    /** With tlsRpt on: what the run records, the plaintext fallback never counted (it is no TLS session). */
    @ParameterizedTest(name = "tls={0} fallback={1} against {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "ifavailable | true  | HANDSHAKE_FAILS      | 0 | validation-failure",
        "ifavailable | false | STARTTLS_WORKS       | 1 | -",
        "ifavailable | false | STARTTLS_NOT_OFFERED | 0 | starttls-not-supported",
        "required    | false | STARTTLS_NOT_OFFERED | 0 | starttls-not-supported",
        "no          | false | STARTTLS_WORKS       | 0 | -"
    })
    void eachAttemptIsHandedToTheRecording(String level, boolean fallback, TlsBehaviour receiver, long successes,
                                           String failure, @TempDir Path storeDir) throws Exception {
        TlsRptStore store = TlsRptStore.open(storeDir, Clock.systemUTC(), TlsRptLimits.DEFAULT);
        DeliveryRequest request = request(level, fallback, "<tlsRpt>on</tlsRpt>");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(receiver);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            deliverer(pool).deliver(mail(), List.of(new MailAddress("to@dest.test")), planner(server).plan(request),
                    TlsRptRecorder.into(store).forDelivery(mail(), request));
        }

        List<PolicySnapshot> policies = store.snapshots().get(0).domain("dest.test")
            .map(domain -> domain.policies()).orElse(List.of());
        assertThat(policies.stream().mapToLong(PolicySnapshot::successfulSessions).sum()).isEqualTo(successes);
        assertThat(policies.stream().flatMap(p -> p.failureDetails().keySet().stream())
            .map(detail -> detail.resultType().label()))
            .containsExactlyElementsOf(failure.equals("-") ? List.of() : List.of(failure));
        assertThat(policies.stream().mapToLong(PolicySnapshot::failedSessions).sum()).isEqualTo(failure.equals("-") ? 0 : 1);
    }

    /**
     * Issue 11: the receiver may have a mail whose final dot went unanswered, so the second MX is not tried in this run
     * (it would get the mail too); the recipient is deferred and the ambiguity counted.
     */
    @ParameterizedTest(name = "{0} after the final dot: deferred, the second MX untouched, counted")
    @CsvSource({"SILENT_AFTER_DOT", "CLOSE_AFTER_DOT"})
    void anUnansweredFinalDotIsDeferredWithoutTryingTheNextMx(ScriptedSmtpServer.Fault fault) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).withFault(fault, 1);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            FakeDns dns = new FakeDns().mx("dest.test", "mx1.dest.test", "mx2.dest.test")
                .a("mx1.dest.test", "127.0.0.1").a("mx2.dest.test", "127.0.0.1");
            DomainDeliverer deliverer = new DomainDeliverer(new HostDelivery(5000, 5000, 300, pool),
                new DeliveryMetrics(metricFactory));

            DomainDeliveryResult result = deliverer.deliver(mail(), List.of(new MailAddress("to@dest.test")),
                planner(dns, server.port()).plan(request("required", false)));

            assertThat(server.connections()).as("mx2 (same address here) is not dialled").isEqualTo(1);
            assertThat(result.delivered()).isEmpty();
            assertThat(result.permanentFailures()).isEmpty();
            assertThat(result.temporaryFailures().values()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(org.jamestls.delivery.outcome.FailureKind.AMBIGUOUS_AFTER_DOT);
                assertThat(failure.enhancedStatus()).isEqualTo("4.4.2");
                assertThat(failure.detail()).contains("delivery uncertain", "mx1.dest.test");
            });
            assertThat(metricFactory.countFor("jamestls_ambiguous_after_dot")).isEqualTo(1);
        }
    }

    /**
     * A reused session the receiver closed while idle: the mail goes on a new session, and the retry is counted once
     * in {@code jamestls_stale_session_retries}, whatever the new session brings; a loss after MAIL FROM's reply is
     * no stale session and is not counted.
     */
    @ParameterizedTest(name = "{0} at MAIL FROM {1}: second mail delivered={2}, {3} stale-session retry, {4} connections")
    @CsvSource(delimiter = ';', value = {
        // the receiver closed the idle session: the second mail goes on a new one, counted once
        "CLOSE_AFTER_DOT_REPLY;   1;   true;  1; 2",
        // the new session breaks too: one retry only, counted once, then a plain loss
        "CLOSE_BEFORE_MAIL_REPLY; 2,3; false; 1; 2",
        // MAIL FROM answered, then closed: no stale session, nothing counted
        "CLOSE_AFTER_MAIL_REPLY;  2;   false; 0; 1"
    })
    void aStaleSessionRetryIsCounted(ScriptedSmtpServer.Fault fault, String messages, boolean secondDelivered,
                                     long retries, int connections) throws Exception {
        Integer[] numbers = java.util.Arrays.stream(messages.split(",")).map(Integer::valueOf).toArray(Integer[]::new);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).withFault(fault, numbers);
             SessionPool pool = new SessionPool(100, Duration.ofSeconds(30), 4)) {
            DomainDeliverer deliverer = deliverer(pool);
            DeliveryPlan plan = planner(server).plan(request("required", false));

            DomainDeliveryResult first = deliverer.deliver(mail(), List.of(new MailAddress("a@dest.test")), plan);
            DomainDeliveryResult second = deliverer.deliver(mail(), List.of(new MailAddress("b@dest.test")), plan);

            assertThat(first.delivered()).hasSize(1);
            assertThat(second.delivered().isEmpty()).isNotEqualTo(secondDelivered);
            assertThat(server.connections()).isEqualTo(connections);
            assertThat(metricFactory.countFor("jamestls_stale_session_retries")).isEqualTo(retries);
        }
    }

    private DomainDeliverer deliverer(SessionPool pool) {
        return new DomainDeliverer(new HostDelivery(5000, 5000, pool), new DeliveryMetrics(metricFactory));
    }

    private DeliveryPlanner planner(ScriptedSmtpServer server) {
        return planner(new FakeDns().mx("dest.test", "mx.dest.test").a("mx.dest.test", "127.0.0.1"), server.port());
    }

    private DeliveryPlanner planner(FakeDns dns, int port) {
        return new DeliveryPlanner(new MxResolver(dns, port), PublishedPolicies.none(port),
            new TlsProfiles(new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            })), "relay.test", brokenTls, Clock.systemUTC());
    }

    private static DeliveryRequest request(String level, boolean fallback, String... globalOptions) throws Exception {
        EffectivePolicy policy = new EffectivePolicy(TlsPolicyParser.parse(new ByteArrayInputStream(
            ("<tlsPolicy><tls>" + level + "</tls>" + String.join("", globalOptions) + "</tlsPolicy>")
                .getBytes(StandardCharsets.UTF_8)), "t.xml"), fallback);
        return new DeliveryRequest("m1-to-dest.test", "dest.test", Optional.empty(),
            policy.resolve("dest.test", Optional.empty()));
    }

    private static MailImpl mail() throws Exception {
        return MailImpl.builder().name("m1-to-dest.test").sender("from@source.test").addRecipient("to@dest.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body")).build();
    }
}
