package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.TestCerts;
import org.jamestls.dane.TlsaRecord;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.mtasts.MtaStsPolicyCache;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.TlsVerify;
import org.jamestls.smtp.TlsNegotiator;
import org.jamestls.tls.TlsClientSettings;
import org.jamestls.tlsrpt.TlsProblem.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every failure kind the delivery produces -> the TLS problem stages that stand for it -> the RFC 8460 result
 * type. Certificate and handshake rows are fed the exceptions of real loopback handshakes made with the production
 * client profiles (tlsVerify ca/host/optional, DANE trust manager), not hand-written exceptions.
 */
class ResultTypeClassifierTest {
    private static final String MX = "mx.dest.test";

    /** Which stages stand for each FailureKind; an empty list = not a TLS problem, not reported. */
    private static final Map<FailureKind, List<Stage>> STAGES_BY_KIND = new LinkedHashMap<>();
    /** Stages where delivery goes on (nothing fails in the delivery's terms) but the report counts a failure. */
    private static final Set<Stage> DELIVERED_ANYWAY = EnumSet.of(Stage.CERTIFICATE_OBSERVED, Stage.TLSA_NONE_USABLE,
        Stage.STS_POLICY_UNAVAILABLE);

    static {
        STAGES_BY_KIND.put(FailureKind.DNS, List.of());
        STAGES_BY_KIND.put(FailureKind.CONNECTION, List.of());
        STAGES_BY_KIND.put(FailureKind.GREETING_REJECTED, List.of());
        STAGES_BY_KIND.put(FailureKind.STARTTLS_NOT_OFFERED, List.of(Stage.STARTTLS_NOT_OFFERED));
        STAGES_BY_KIND.put(FailureKind.TLS_NEGOTIATION, List.of(Stage.STARTTLS_REFUSED, Stage.HANDSHAKE_FAILED));
        STAGES_BY_KIND.put(FailureKind.TLS_VERIFICATION, List.of(Stage.CERTIFICATE_REJECTED));
        STAGES_BY_KIND.put(FailureKind.PROTOCOL, List.of());
        STAGES_BY_KIND.put(FailureKind.AMBIGUOUS_AFTER_DOT, List.of());
        STAGES_BY_KIND.put(FailureKind.SENDER_REJECTED, List.of());
        STAGES_BY_KIND.put(FailureKind.RECIPIENT_REJECTED, List.of());
        STAGES_BY_KIND.put(FailureKind.MESSAGE_REJECTED, List.of());
        STAGES_BY_KIND.put(FailureKind.PUBLISHED_POLICY,
            List.of(Stage.MX_NOT_IN_STS_POLICY, Stage.MX_NOT_IN_SECURE_MX_SET, Stage.DNSSEC_FAILED));
        STAGES_BY_KIND.put(FailureKind.INTERNAL, List.of());
        // the sender's requirement, not the receiver's policy: nothing to tell the receiving domain
        STAGES_BY_KIND.put(FailureKind.REQUIRETLS, List.of());
        STAGES_BY_KIND.put(FailureKind.REQUIRETLS_MISSING, List.of());
    }

    private static TestCerts.Issued ca;
    private static TestCerts.Issued otherCa;

    @TempDir
    static java.nio.file.Path cacheDir;

    @BeforeAll
    static void authorities() {
        ca = TestCerts.rootCa("TLSRPT Test CA");
        otherCa = TestCerts.rootCa("Unknown CA");
    }

    @Test
    void everyFailureKindHasARowAndOnlyTlsKindsAreReported() {
        assertThat(STAGES_BY_KIND.keySet()).containsExactlyInAnyOrder(FailureKind.values());
        STAGES_BY_KIND.forEach((kind, stages) ->
            assertThat(!stages.isEmpty()).as("reported iff TLS and not the sender's REQUIRETLS: " + kind)
                .isEqualTo(kind.isTls() && !kind.isRequireTls()));
    }

    @Test
    void everyStageIsProducedByAFailureKindOrByADeliveryThatWentOn() {
        Set<Stage> covered = EnumSet.copyOf(DELIVERED_ANYWAY);
        STAGES_BY_KIND.values().forEach(covered::addAll);
        assertThat(covered).containsExactlyInAnyOrder(Stage.values());
        assertThat(rows().map(row -> ((Row) row.get()[0]).problem.stage()))
            .as("every stage has a scenario row").containsAll(Arrays.asList(Stage.values()));
    }

    /** One scenario: how the producer would build the problem, under which policy, and what must come out. */
    static final class Row {
        final String scenario;
        final TlsProblem problem;
        final PolicyType policy;
        final ResultType expected;
        final String reasonContains;

        Row(String scenario, TlsProblem problem, PolicyType policy, ResultType expected, String reasonContains) {
            this.scenario = scenario;
            this.problem = problem;
            this.policy = policy;
            this.expected = expected;
            this.reasonContains = reasonContains;
        }

        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Arguments> rows() {
        try {
            return buildRows().stream().map(Arguments::of);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Row> buildRows() throws Exception {
        if (ca == null) {
            authorities();
        }
        TestCerts.Issued good = TestCerts.leaf(MX, ca, MX);
        TestCerts.Issued otherName = TestCerts.leaf("other.test", ca, "other.test");
        TestCerts.Issued expired = TestCerts.expiredLeaf(MX, ca, MX);
        TestCerts.Issued notYet = TestCerts.leaf(MX, ca, Instant.now().plus(TestCerts.DAY), Instant.now()
            .plus(TestCerts.DAY.multipliedBy(10)), MX);
        TestCerts.Issued untrusted = TestCerts.leaf(MX, otherCa, MX);
        TestCerts.Issued selfSigned = TestCerts.selfSignedLeaf(MX, MX);
        TlsNegotiator host = Handshakes.verifying(TlsVerify.HOST, Optional.of(ca), List.of());
        TlsNegotiator caOnly = Handshakes.verifying(TlsVerify.CA, Optional.of(ca), List.of());
        TlsNegotiator optional = Handshakes.verifying(TlsVerify.OPTIONAL, Optional.of(ca), List.of());
        TlsNegotiator tls13Only = Handshakes.verifying(TlsVerify.NO, Optional.empty(), List.of("TLSv1.3"));
        TlsNegotiator daneEe = Handshakes.contexts(Optional.empty()).withTrustManager(TlsClientSettings.UNVERIFIED,
            DaneStatus.usable(MX, 25, List.of(TlsaRecord.forCertificate(3, 1, 1, good.certificate))).trustManager("dest.test"));
        TlsNegotiator daneTa = Handshakes.contexts(Optional.empty()).withTrustManager(TlsClientSettings.UNVERIFIED,
            DaneStatus.usable(MX, 25, List.of(TlsaRecord.forCertificate(2, 0, 1, ca.certificate))).trustManager("dest.test"));

        List<Row> rows = new ArrayList<>();
        rows.add(new Row("EHLO without STARTTLS under required", TlsProblem.starttlsNotOffered(), PolicyType.NO_POLICY_FOUND,
            ResultType.STARTTLS_NOT_SUPPORTED, ""));
        rows.add(new Row("STARTTLS answered 454", TlsProblem.starttlsRefused("454 4.7.0 TLS not available"),
            PolicyType.STS, ResultType.STARTTLS_NOT_SUPPORTED, "STARTTLS answered 454 4.7.0 TLS not available"));
        rows.add(new Row("no common protocol (client TLSv1.3, server TLSv1.2)",
            TlsProblem.handshake(Handshakes.run(tls13Only, MX, List.of("TLSv1.2"), good, ca.certificate).failure()),
            PolicyType.NO_POLICY_FOUND, ResultType.VALIDATION_FAILURE, "protocol"));
        rows.add(new Row("tlsVerify host, certificate for another name",
            TlsProblem.handshake(Handshakes.run(host, MX, List.of(), otherName, ca.certificate).failure()),
            PolicyType.NO_POLICY_FOUND, ResultType.CERTIFICATE_HOST_MISMATCH, MX));
        rows.add(new Row("MTA-STS enforce (host verifying), certificate for another name",
            TlsProblem.handshake(Handshakes.run(host, MX, List.of(), otherName, ca.certificate).failure()),
            PolicyType.STS, ResultType.CERTIFICATE_HOST_MISMATCH, "No subject alternative DNS name matching"));
        rows.add(new Row("tlsVerify host, expired certificate",
            TlsProblem.handshake(Handshakes.run(host, MX, List.of(), expired, ca.certificate).failure()),
            PolicyType.STS, ResultType.CERTIFICATE_EXPIRED, "validity"));
        rows.add(new Row("tlsVerify ca, expired certificate",
            TlsProblem.handshake(Handshakes.run(caOnly, MX, List.of(), expired, ca.certificate).failure()),
            PolicyType.NO_POLICY_FOUND, ResultType.CERTIFICATE_EXPIRED, ""));
        rows.add(new Row("tlsVerify host, certificate not yet valid",
            TlsProblem.handshake(Handshakes.run(host, MX, List.of(), notYet, ca.certificate).failure()),
            PolicyType.STS, ResultType.VALIDATION_FAILURE, "certificate-not-yet-valid"));
        rows.add(new Row("tlsVerify ca, unknown CA",
            TlsProblem.handshake(Handshakes.run(caOnly, MX, List.of(), untrusted, otherCa.certificate).failure()),
            PolicyType.NO_POLICY_FOUND, ResultType.CERTIFICATE_NOT_TRUSTED, "PKIX path building failed"));
        rows.add(new Row("tlsVerify host, self-signed certificate",
            TlsProblem.handshake(Handshakes.run(host, MX, List.of(), selfSigned).failure()),
            PolicyType.STS, ResultType.CERTIFICATE_NOT_TRUSTED, "PKIX"));
        rows.add(new Row("DANE-EE record for another key",
            TlsProblem.handshake(Handshakes.run(daneEe, MX, List.of(), otherName, ca.certificate).failure()),
            PolicyType.TLSA, ResultType.TLSA_INVALID, "no TLSA record matches"));
        rows.add(new Row("DANE-TA chain whose leaf names another host",
            TlsProblem.handshake(Handshakes.run(daneTa, MX, List.of(), otherName, ca.certificate).failure()),
            PolicyType.TLSA, ResultType.TLSA_INVALID, "no TLSA record matches: leaf CN=other.test"));
        rows.add(new Row("MTA-STS testing, observed wrong name",
            TlsProblem.certificateObserved(Handshakes.run(optional, MX, List.of(), otherName, ca.certificate).verification()),
            PolicyType.STS, ResultType.CERTIFICATE_HOST_MISMATCH, MX));
        rows.add(new Row("MTA-STS testing, observed expired certificate",
            TlsProblem.certificateObserved(Handshakes.run(optional, MX, List.of(), expired, ca.certificate).verification()),
            PolicyType.STS, ResultType.CERTIFICATE_EXPIRED, "validity check failed"));
        rows.add(new Row("MTA-STS testing, observed unknown CA",
            TlsProblem.certificateObserved(Handshakes.run(optional, MX, List.of(), untrusted, otherCa.certificate).verification()),
            PolicyType.STS, ResultType.CERTIFICATE_NOT_TRUSTED, "PKIX path building failed"));
        rows.add(new Row("MTA-STS enforce, MX not listed", TlsProblem.mxNotInStsPolicy("mx.elsewhere.test"), PolicyType.STS,
            ResultType.VALIDATION_FAILURE, "mx-not-in-sts-policy: mx.elsewhere.test"));
        rows.add(new Row("DANE, MX not in the validated MX RRset", TlsProblem.mxNotInSecureMxSet("mx.forged.test"),
            PolicyType.TLSA, ResultType.VALIDATION_FAILURE, "mx-not-in-dnssec-mx-rrset: mx.forged.test"));
        rows.add(new Row("DANE, TLSA RRset bogus",
            TlsProblem.dnssecFailed(DaneStatus.of(DaneStatus.Kind.BOGUS, MX, 25, "RRSIG expired").describe()),
            PolicyType.TLSA, ResultType.DNSSEC_INVALID, "dane=bogus for mx.dest.test:25 (RRSIG expired)"));
        rows.add(new Row("DANE, only PKIX-usage TLSA records",
            TlsProblem.tlsaNoneUsable(DaneStatus.of(DaneStatus.Kind.SECURE_NO_USABLE, MX, 25, "only 1 1 1").describe()),
            PolicyType.TLSA, ResultType.TLSA_INVALID, "no-usable-tlsa-record"));
        rows.add(new Row("MTA-STS policy host down", TlsProblem.stsPolicyUnavailable(failedLookup("down.test",
            new MtaStsFetchException("mta-sts.down.test: HTTP 503"), null)), PolicyType.STS,
            ResultType.STS_POLICY_FETCH_ERROR, "HTTP 503"));
        rows.add(new Row("MTA-STS policy host with a bad certificate", TlsProblem.stsPolicyUnavailable(failedLookup("pki.test",
            new MtaStsFetchException("mta-sts.pki.test: TLS failed: PKIX path building failed",
                Handshakes.run(caOnly, "mta-sts.pki.test", List.of(), untrusted, otherCa.certificate).failure()), null)),
            PolicyType.STS, ResultType.STS_WEBPKI_INVALID, "TLS failed"));
        rows.add(new Row("MTA-STS policy that does not parse", TlsProblem.stsPolicyUnavailable(failedLookup("html.test",
            null, "<html>not a policy</html>")), PolicyType.STS, ResultType.STS_POLICY_INVALID, "invalid policy"));
        return rows;
    }

    /** A real MtaStsPolicySource lookup of an announced policy whose fetch throws {@code failure} or serves {@code body}. */
    private static MtaStsLookup failedLookup(String domain, MtaStsFetchException failure, String body) {
        FakeDns dns = new FakeDns().txt("_mta-sts." + domain, "v=STSv1; id=1");
        MtaStsLookup lookup = new MtaStsPolicySource(dns, d -> {
            if (failure != null) {
                throw failure;
            }
            return body;
        }, new MtaStsPolicyCache(cacheDir.resolve(domain)), Clock.systemUTC()).lookup(domain);
        assertThat(lookup.state()).isEqualTo(MtaStsLookup.State.FETCH_FAILED);
        return lookup;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void resultTypeOfEachScenario(Row row) {
        ResultTypeClassifier.Classification classification = ResultTypeClassifier.classify(row.problem, row.policy);

        assertThat(classification.resultType()).as(row.problem.toString()).isEqualTo(row.expected);
        if (!row.reasonContains.isEmpty()) {
            assertThat(classification.reasonCode()).hasValueSatisfying(code -> assertThat(code).contains(row.reasonContains));
        }
        classification.reasonCode().ifPresent(code -> assertThat(code)
            .hasSizeLessThanOrEqualTo(ResultTypeClassifier.MAX_REASON_LENGTH).matches("[\\x20-\\x7E]+"));
    }

    @Test
    void aHandshakeFailureWithACertificateCauseIsACertificateProblem() throws Exception {
        TestCerts.Issued untrusted = TestCerts.leaf(MX, otherCa, MX);
        TlsNegotiator caOnly = Handshakes.verifying(TlsVerify.CA, Optional.of(ca), List.of());

        TlsProblem problem = TlsProblem.handshake(Handshakes.run(caOnly, MX, List.of(), untrusted).failure());

        assertThat(problem.stage()).isEqualTo(Stage.CERTIFICATE_REJECTED);
    }

    @Test
    void longReasonsAreCutToOnePrintableLine() {
        String shortened = ResultTypeClassifier.shorten("a\r\nb\u00e9" + "x".repeat(500));

        assertThat(shortened).startsWith("a b x").hasSize(ResultTypeClassifier.MAX_REASON_LENGTH).endsWith("...");
    }
}
