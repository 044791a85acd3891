package org.jamestls.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import javax.net.ssl.SSLHandshakeException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.jamestls.dane.TlsaRecord;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.delivery.plan.TlsReportTerms;
import org.jamestls.mtasts.MtaStsPolicy;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.smtp.TlsSessionInfo;
import org.jamestls.tlsrpt.FailureDetail;
import org.jamestls.tlsrpt.PolicySnapshot;
import org.jamestls.tlsrpt.ReportedPolicy;
import org.jamestls.tlsrpt.TlsProblem;
import org.jamestls.tlsrpt.TlsRptLimits;
import org.jamestls.tlsrpt.TlsRptStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which attempt records what in the TLS report store: one row per kind of attempt (TLS up under each policy type,
 * each TLS failure the session code produces, failures before TLS, the policy's own problems, plaintext, refusals,
 * domain failures), read back from a real {@link TlsRptStore}; then which deliveries record at all (tlsRpt off,
 * report mail, reporting off) and which sending address a row names.
 */
class TlsRptRecorderTest {
    private static final String DOMAIN = "dest.test";
    private static final MxTarget MX = new MxTarget("mx.dest.test", ip("192.0.2.25"), 25);
    private static final InetAddress LOCAL = ip("127.0.0.9");
    private static final ReportedPolicy STS = ReportedPolicy.sts(DOMAIN, stsPolicy());
    private static final ReportedPolicy TLSA = ReportedPolicy.tlsa(MX.mxHost(), List.of(TlsaRecord.parse("3 1 1 " + "ab".repeat(32))));
    private static final ReportedPolicy NONE = ReportedPolicy.noPolicyFound(DOMAIN);
    private static final String POLICY = "<tlsPolicy><tls>ifavailable</tls>"
        + "<domain name='dest.test'><tlsRpt>on</tlsRpt></domain>"
        + "<binding name='b1' bindAddress='198.51.100.10' heloName='b1.test'/></tlsPolicy>";

    @TempDir
    Path storeDir;
    private TlsRptStore store;
    private TlsRptRecorder.Recording recording;

    @BeforeEach
    void openStore() throws Exception {
        store = TlsRptStore.open(storeDir, Clock.fixed(Instant.parse("2026-05-01T10:00:00Z"), ZoneOffset.UTC),
            TlsRptLimits.DEFAULT);
        recording = TlsRptRecorder.into(store).forDelivery(mail(false), request(DOMAIN, Optional.empty()));
    }

    /** the attempt, and what the store holds afterwards ("nothing", or the one session recorded). */
    static Stream<Arguments> attempts() {
        return Stream.of(
            row("TLS up, MTA-STS enforce", r -> r.attempted(MX, under(STS), mandatory(), tlsUp("verified-host")),
                "success sts dest.test"),
            row("TLS up, DANE", r -> r.attempted(MX, under(TLSA), mandatory(), tlsUp("dane-ee 3 1 1 ab")),
                "success tlsa mx.dest.test"),
            row("TLS up, no policy (ifavailable)", r -> r.attempted(MX, under(NONE), ifOffered(), tlsUp("not-verified")),
                "success no-policy-found dest.test"),
            row("TLS up, the operator's tlsVerify optional failed: not a policy failure",
                r -> r.attempted(MX, under(NONE), ifOffered(), tlsUp("failed: unknown CA")),
                "success no-policy-found dest.test"),
            row("TLS up, MTA-STS testing observed a wrong name", r -> r.attempted(MX, under(STS), ifOffered(),
                    tlsUp("failed: No subject alternative DNS name matching mx.dest.test found.")),
                "failure sts dest.test: certificate-host-mismatch from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (No subject alternative DNS name matching mx.dest.test found.)"),
            row("TLS up, the transaction failed afterwards", r -> r.attempted(MX, under(STS), mandatory(),
                    HostAttemptResult.notTransacted(MX, Optional.of(tls("verified-host")),
                        new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2", "connection lost")).from(Optional.of(LOCAL))),
                "success sts dest.test"),
            row("STARTTLS not offered under mandatory TLS", r -> r.attempted(MX, under(STS), mandatory(),
                    failed(FailureKind.STARTTLS_NOT_OFFERED, Optional.of(TlsProblem.starttlsNotOffered()))),
                "failure sts dest.test: starttls-not-supported from 127.0.0.9 to mx.dest.test [192.0.2.25]"),
            row("STARTTLS answered 454", r -> r.attempted(MX, under(TLSA), mandatory(),
                    failed(FailureKind.TLS_NEGOTIATION, Optional.of(TlsProblem.starttlsRefused("454 4.7.0 TLS not available")))),
                "failure tlsa mx.dest.test: starttls-not-supported from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (STARTTLS answered 454 4.7.0 TLS not available)"),
            row("handshake failed, no common protocol", r -> r.attempted(MX, under(NONE), ifOffered(),
                    failed(FailureKind.TLS_NEGOTIATION, Optional.of(TlsProblem.handshake(
                        new SSLHandshakeException("No appropriate protocol"))))),
                "failure no-policy-found dest.test: validation-failure from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (No appropriate protocol)"),
            row("certificate expired, MTA-STS enforce", r -> r.attempted(MX, under(STS), mandatory(),
                    failed(FailureKind.TLS_VERIFICATION, Optional.of(TlsProblem.handshake(
                        rejected(new CertificateExpiredException("NotAfter: Fri Apr 01 00:00:00 UTC 2016")))))),
                "failure sts dest.test: certificate-expired from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (NotAfter: Fri Apr 01 00:00:00 UTC 2016)"),
            row("no TLSA record matches", r -> r.attempted(MX, under(TLSA), mandatory(),
                    failed(FailureKind.TLS_VERIFICATION, Optional.of(TlsProblem.handshake(
                        rejected(new CertificateException("DANE: no TLSA record matches")))))),
                "failure tlsa mx.dest.test: tlsa-invalid from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (DANE: no TLSA record matches)"),
            row("plaintext: the MX offered no STARTTLS (ifavailable)", r -> r.attempted(MX, under(NONE), ifOffered(),
                    plaintextDelivered()),
                "failure no-policy-found dest.test: starttls-not-supported from 127.0.0.9 to mx.dest.test [192.0.2.25]"),
            row("connection refused: no TLS verdict", r -> r.attempted(MX, under(STS), mandatory(),
                    failed(FailureKind.CONNECTION, Optional.empty()).from(Optional.empty())),
                "nothing"),
            row("greeting 421: no TLS verdict", r -> r.attempted(MX, under(STS), mandatory(),
                    failed(FailureKind.GREETING_REJECTED, Optional.empty())),
                "nothing"),
            row("no TLSA record usable, delivered over TLS", r -> r.attempted(MX, failing(TLSA, TlsProblem.tlsaNoneUsable(
                    "dane=secure-no-usable")), mandatory(), tlsUp("not-verified")),
                "failure tlsa mx.dest.test: tlsa-invalid from 127.0.0.9 to mx.dest.test [192.0.2.25] (no-usable-tlsa-record)"),
            row("MX outside an MTA-STS testing policy, delivered in plaintext", r -> r.attempted(MX, failing(STS,
                    TlsProblem.mxNotInStsPolicy(MX.mxHost())), ifOffered(), plaintextDelivered()),
                "failure sts dest.test: validation-failure from 127.0.0.9 to mx.dest.test [192.0.2.25]"
                    + " (mx-not-in-sts-policy: mx.dest.test)"),
            row("the session's own TLS failure comes before the policy's problem", r -> r.attempted(MX, failing(TLSA,
                    TlsProblem.tlsaNoneUsable("dane=secure-no-usable")), mandatory(),
                    failed(FailureKind.STARTTLS_NOT_OFFERED, Optional.of(TlsProblem.starttlsNotOffered()))),
                "failure tlsa mx.dest.test: starttls-not-supported from 127.0.0.9 to mx.dest.test [192.0.2.25]"),
            row("the policy's problem, but the connection was refused", r -> r.attempted(MX, failing(TLSA,
                    TlsProblem.tlsaNoneUsable("dane=secure-no-usable")), mandatory(),
                    failed(FailureKind.CONNECTION, Optional.empty())),
                "nothing"),
            row("no STARTTLS planned (tls=no, the plaintext fallback)", r -> r.attempted(MX, under(NONE), never(),
                    plaintextDelivered()),
                "nothing"),
            row("a plan the planner did not report", r -> r.attempted(MX, TlsReportTerms.NOT_REPORTED, mandatory(),
                    tlsUp("verified-host")),
                "nothing"),
            row("refused: MX not in the MTA-STS policy", r -> r.refused(MX, under(STS), refusal(
                    Optional.of(TlsProblem.mxNotInStsPolicy(MX.mxHost())))),
                "failure sts dest.test: validation-failure from ? to mx.dest.test [?] (mx-not-in-sts-policy: mx.dest.test)"),
            row("refused: DNSSEC failed for the MX host's TLSA", r -> r.refused(MX,
                    under(ReportedPolicy.tlsaUnavailable(MX.mxHost())), refusal(Optional.of(TlsProblem.dnssecFailed("BOGUS")))),
                "failure tlsa mx.dest.test: dnssec-invalid from ? to mx.dest.test [?] (BOGUS)"),
            row("refused: TLS settings unusable, no TLS problem", r -> r.refused(MX, under(STS), refusal(Optional.empty())),
                "nothing"),
            row("the domain's MX RRset is bogus", r -> r.domainFailed(under(ReportedPolicy.tlsaUnavailable(DOMAIN)),
                    refusal(Optional.of(TlsProblem.dnssecFailed("mx of dest.test: BOGUS")))),
                "failure tlsa dest.test: dnssec-invalid from ? to ? [?] (mx of dest.test: BOGUS)"),
            row("DNS failure of the domain", r -> r.domainFailed(TlsReportTerms.NOT_REPORTED,
                    new DeliveryFailure(FailureKind.DNS, "4.4.3", "temporary DNS failure")),
                "nothing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attempts")
    void eachAttemptRecordsOneSessionOrNothing(String name, Consumer<TlsRptRecorder.Recording> attempt, String expected) {
        attempt.accept(recording);

        assertThat(recorded()).isEqualTo(expected.equals("nothing") ? List.of() : List.of(expected));
    }

    @Test
    void onlyDomainsWithTlsRptOnRecordAndReportMailNever() throws Exception {
        TlsRptRecorder recorder = TlsRptRecorder.into(store);

        recorder.forDelivery(mail(false), request("other.test", Optional.empty()))
            .attempted(MX, under(NONE), mandatory(), tlsUp("verified-host"));
        recorder.forDelivery(mail(true), request(DOMAIN, Optional.empty()))
            .attempted(MX, under(NONE), mandatory(), tlsUp("verified-host"));
        TlsRptRecorder.OFF.forDelivery(mail(false), request(DOMAIN, Optional.empty()))
            .attempted(MX, under(NONE), mandatory(), tlsUp("verified-host"));
        assertThat(recorded()).as("tlsRpt off for other.test, a TLS report, reporting off").isEmpty();

        recorder.forDelivery(mail(false), request(DOMAIN, Optional.empty()))
            .attempted(MX, under(NONE), mandatory(), tlsUp("verified-host"));
        assertThat(recorded()).containsExactly("success no-policy-found dest.test");
    }

    @Test
    void theSendingAddressIsTheBindingsElseTheConnections() throws Exception {
        TlsPolicy policy = policy();
        TlsRptRecorder.Recording bound = TlsRptRecorder.into(store).forDelivery(mail(false),
            request(DOMAIN, policy.binding("b1")));
        ConnectionPlan fromBinding = new ConnectionPlan(Optional.of(ip("198.51.100.10")), "b1.test", StartTlsMode.MANDATORY,
            TlsRptRecorderTest::noHandshake);

        bound.attempted(MX, under(STS), fromBinding, failed(FailureKind.STARTTLS_NOT_OFFERED,
            Optional.of(TlsProblem.starttlsNotOffered())));
        bound.refused(MX, under(STS), refusal(Optional.of(TlsProblem.mxNotInStsPolicy(MX.mxHost()))));
        recording.attempted(MX, under(STS), mandatory(), failed(FailureKind.STARTTLS_NOT_OFFERED,
            Optional.of(TlsProblem.starttlsNotOffered())));

        assertThat(recorded()).containsExactlyInAnyOrder(
            "failure sts dest.test: starttls-not-supported from 198.51.100.10 to mx.dest.test [192.0.2.25]",
            "failure sts dest.test: validation-failure from 198.51.100.10 to mx.dest.test [?] (mx-not-in-sts-policy: mx.dest.test)",
            "failure sts dest.test: starttls-not-supported from 127.0.0.9 to mx.dest.test [192.0.2.25]");
    }

    /** Every session in the store, one line each (a row counted twice appears twice). */
    private List<String> recorded() {
        List<String> sessions = new ArrayList<>();
        store.snapshots().forEach(period -> period.domains().values().forEach(domain -> {
            for (PolicySnapshot policy : domain.policies()) {
                String name = policy.policy().type().label() + " " + policy.policy().policyDomain();
                for (long i = 0; i < policy.successfulSessions(); i++) {
                    sessions.add("success " + name);
                }
                for (Map.Entry<FailureDetail, Long> row : policy.failureDetails().entrySet()) {
                    for (long i = 0; i < row.getValue(); i++) {
                        sessions.add("failure " + name + ": " + row.getKey());
                    }
                }
                assertThat(policy.failedSessions()).as("failures with a row").isEqualTo(
                    policy.failureDetails().values().stream().mapToLong(Long::longValue).sum());
            }
        }));
        return sessions;
    }

    private static Arguments row(String name, Consumer<TlsRptRecorder.Recording> attempt, String expected) {
        return Arguments.of(name, attempt, expected);
    }

    private static TlsReportTerms under(ReportedPolicy policy) {
        return TlsReportTerms.under(policy);
    }

    private static TlsReportTerms failing(ReportedPolicy policy, TlsProblem problem) {
        return TlsReportTerms.failing(policy, problem);
    }

    private static ConnectionPlan mandatory() {
        return connection(StartTlsMode.MANDATORY);
    }

    private static ConnectionPlan ifOffered() {
        return connection(StartTlsMode.IF_OFFERED);
    }

    private static ConnectionPlan never() {
        return connection(StartTlsMode.NEVER);
    }

    private static ConnectionPlan connection(StartTlsMode mode) {
        return new ConnectionPlan(Optional.empty(), "relay.test", mode, TlsRptRecorderTest::noHandshake);
    }

    private static javax.net.ssl.SSLSocket noHandshake(java.net.Socket plain, String host, int port) throws IOException {
        throw new IOException("no handshake in this test");
    }

    private static TlsSessionInfo tls(String verification) {
        return new TlsSessionInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", Optional.empty(), verification);
    }

    private static HostAttemptResult tlsUp(String verification) {
        return HostAttemptResult.transacted(MX, Optional.of(tls(verification)), List.of(RecipientOutcome.delivered(recipient())))
            .from(Optional.of(LOCAL));
    }

    private static HostAttemptResult plaintextDelivered() {
        return HostAttemptResult.transacted(MX, Optional.empty(), List.of(RecipientOutcome.delivered(recipient())))
            .from(Optional.of(LOCAL));
    }

    private static HostAttemptResult failed(FailureKind kind, Optional<TlsProblem> problem) {
        DeliveryFailure failure = new DeliveryFailure(kind, "4.7.5", "attempt failed: " + kind.label());
        return HostAttemptResult.notTransacted(MX, Optional.empty(), problem.map(failure::withTlsProblem).orElse(failure))
            .from(Optional.of(LOCAL));
    }

    private static DeliveryFailure refusal(Optional<TlsProblem> problem) {
        DeliveryFailure failure = new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5", "refused");
        return problem.map(failure::withTlsProblem).orElse(failure);
    }

    /** The handshake exception the JSSE throws when a trust manager rejects the chain. */
    private static SSLHandshakeException rejected(CertificateException cause) {
        SSLHandshakeException e = new SSLHandshakeException("PKIX path validation failed");
        e.initCause(cause);
        return e;
    }

    private static DeliveryRequest request(String domain, Optional<org.jamestls.policy.Binding> binding) throws Exception {
        return new DeliveryRequest("m1-to-" + domain, domain, binding, new EffectivePolicy(policy(), false)
            .resolve(domain, binding));
    }

    private static TlsPolicy policy() throws Exception {
        return TlsPolicyParser.parse(new ByteArrayInputStream(POLICY.getBytes(StandardCharsets.UTF_8)), "t.xml");
    }

    private static MailImpl mail(boolean report) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body");
        if (report) {
            message.addHeader("TLS-Report-Domain", "dest.test").addHeader("TLS-Report-Submitter", "sender.test");
        }
        return MailImpl.builder().name("m1").sender("from@source.test").addRecipient("to@dest.test").mimeMessage(message)
            .build();
    }

    private static MailAddress recipient() {
        try {
            return new MailAddress("to@dest.test");
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static MtaStsPolicy stsPolicy() {
        try {
            return MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.dest.test\nmax_age: 86400\n");
        } catch (org.jamestls.mtasts.MtaStsParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
