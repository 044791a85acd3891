package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamestls.brokentls.BrokenTlsEntry;
import org.jamestls.brokentls.BrokenTlsKey;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.ScriptedValidatingResolver;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.TlsMechanism;
import org.jamestls.delivery.session.HostDelivery;
import org.jamestls.delivery.session.SessionPool;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsPolicyCache;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.Binding;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.testing.FakeDns;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * What the planner makes of operator level x what the domain publishes x the plaintext fallback, over scripted
 * DNSSEC answers, MTA-STS policies and James's DNS: usable DANE > MTA-STS enforce > the operator's policy;
 * published policies only raise the level and take the fallback away; bogus DNSSEC defers the whole domain; an MX
 * outside an enforced policy or the validated MX RRset is a 4.7.5 refusal; the per-scope switches turn each
 * mechanism off; each plan carries its final TLS profile. Then what the sender asks (REQUIRETLS x published policy x
 * operator level x tlsRequiredHeader; TLS-Required: No x tlsRequiredHeader x operator level x published policy) and
 * the broken-TLS memory x operator level x published policy x sender.
 */
class DeliveryPlannerTest {
    private static final String HASH = "ab".repeat(32);
    /** The address James's DNS gives every MX in {@link #plan}; the broken-TLS memory is keyed on it. */
    private static final String JAMES_MX_ADDRESS = "192.0.2.9";
    private static final String REMEMBER = "<tlsRememberBroken>1 hour</tlsRememberBroken>";
    private static final String DOMAINS = String.join("\n",
        "  <dane>on</dane>",
        "  <domain name='nodane.test'><dane>off</dane></domain>",
        "  <domain name='nosts.test'><mtaSts>off</mtaSts></domain>",
        "  <domain name='req.test'><tls>required</tls><dane>off</dane></domain>",
        "  <binding name='b1' bindAddress='127.0.0.51' heloName='b1.bind.test'/>");

    @TempDir
    Path cacheDir;

    private final ScriptedValidatingResolver dnssec = new ScriptedValidatingResolver()
        .secure("dane.test", Type.MX, "10 mx.dane.test.")
        .secure("mx.dane.test", Type.A, "192.0.2.1").secure("mx.dane.test", Type.AAAA)
        .secure("_25._tcp.mx.dane.test", Type.TLSA, "3 1 1 " + HASH)
        .secure("nodane.test", Type.MX, "10 mx.dane.test.")
        .secure("pkix.test", Type.MX, "10 mx.pkix.test.")
        .secure("mx.pkix.test", Type.A, "192.0.2.3").secure("mx.pkix.test", Type.AAAA)
        .secure("_25._tcp.mx.pkix.test", Type.TLSA, "1 1 1 " + HASH)
        .secure("dnssec.test", Type.MX, "10 mx.dnssec.test.")
        .secure("mx.dnssec.test", Type.A, "192.0.2.4").secure("mx.dnssec.test", Type.AAAA)
        .secure("_25._tcp.mx.dnssec.test", Type.TLSA)
        .insecure("sts.test", Type.MX, "10 mx.sts.test.")
        .insecure("nosts.test", Type.MX, "10 mx.sts.test.")
        .insecure("testing.test", Type.MX, "10 mx.sts.test.")
        .insecure("plain.test", Type.MX, "10 mx.plain.test.")
        .insecure("fetchfail.test", Type.MX, "10 mx.fetchfail.test.")
        .insecure("req.test", Type.MX, "10 mx.req.test.")
        .insecure("fetchfail.test", Type.MX, "10 mx.fetchfail.test.")
        .secure("tlsabogus.test", Type.MX, "10 mx.tlsabogus.test.")
        .secure("mx.tlsabogus.test", Type.A, "192.0.2.4").secure("mx.tlsabogus.test", Type.AAAA)
        .bogus("_25._tcp.mx.tlsabogus.test", Type.TLSA, "RRSIG expired")
        .bogus("bogus.test", Type.MX, "Did not match a DS to a DNSKEY.")
        .unreachable("down.test", Type.MX);
    private final FakeDns dns = new FakeDns()
        .txt("_mta-sts.sts.test", "v=STSv1; id=1").txt("_mta-sts.nosts.test", "v=STSv1; id=1")
        .txt("_mta-sts.dane.test", "v=STSv1; id=1").txt("_mta-sts.testing.test", "v=STSv1; id=1")
        .txt("_mta-sts.fetchfail.test", "v=STSv1; id=1");
    private final TlsProfiles profiles = new TlsProfiles(new TlsClientContexts(url -> {
        throw new FileNotFoundException("no files in this test: " + url);
    }));
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final BrokenTlsMemory brokenTls = new BrokenTlsMemory(metrics);

    /** domain, MX host James's DNS gives, deciding mechanism, effective level under operator 'no', refused? */
    static Stream<Arguments> decisions() {
        return Stream.of(
            Arguments.of("dane.test", "mx.dane.test", TlsMechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("dane.test", "mx.forged.test", TlsMechanism.DANE, TlsLevel.REQUIRED, true),
            Arguments.of("nodane.test", "mx.dane.test", TlsMechanism.POLICY, TlsLevel.NO, false),
            Arguments.of("pkix.test", "mx.pkix.test", TlsMechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("sts.test", "mx.sts.test", TlsMechanism.MTA_STS, TlsLevel.REQUIRED, false),
            Arguments.of("sts.test", "mx.elsewhere.test", TlsMechanism.MTA_STS, TlsLevel.REQUIRED, true),
            Arguments.of("nosts.test", "mx.elsewhere.test", TlsMechanism.POLICY, TlsLevel.NO, false),
            Arguments.of("testing.test", "mx.elsewhere.test", TlsMechanism.MTA_STS, TlsLevel.NO, false),
            Arguments.of("plain.test", "mx.plain.test", TlsMechanism.POLICY, TlsLevel.NO, false));
    }

    @ParameterizedTest(name = "{0} via {1}: {2}, tls {3}, refused={4}")
    @MethodSource("decisions")
    void mechanismPerMx(String domain, String mxHost, TlsMechanism mechanism, TlsLevel level, boolean refused)
            throws Exception {
        DeliveryPlan plan = plan("no", true, domain, mxHost);
        MxPlan mx = plan.mxPlans().get(0);

        assertThat(plan.domainFailure()).isEmpty();
        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(level);
        assertThat(mx.refusal().isPresent()).isEqualTo(refused);
        assertThat(mx.connection().isPresent()).isNotEqualTo(refused);
        mx.refusal().ifPresent(failure -> {
            assertThat(failure.enhancedStatus()).isEqualTo("4.7.5");
            assertThat(failure.kind()).isEqualTo(FailureKind.PUBLISHED_POLICY);
            assertThat(failure.detail()).containsAnyOf("not an MX allowed by the policy of " + domain,
                "not in the DNSSEC-validated MX RRset of " + domain);
            assertThat(mx.security().published()).isEqualTo(mechanism.label() + ": " + failure.detail());
        });
        mx.connection().ifPresent(connection -> assertThat(connection.startTlsMode())
            .isEqualTo(level == TlsLevel.REQUIRED ? StartTlsMode.MANDATORY : StartTlsMode.NEVER));
    }

    /**
     * operator tls, mailet tlsIfAvailableFallback, domain (and the MX James gives) -> STARTTLS mode of the
     * connection, deciding mechanism, effective level, whether a plaintext fallback is planned.
     */
    static Stream<Arguments> levelsAndFallback() {
        return Stream.of(
            Arguments.of("no", true, "plain.test", StartTlsMode.NEVER, TlsMechanism.POLICY, TlsLevel.NO, false),
            Arguments.of("ifavailable", true, "plain.test", StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, true),
            Arguments.of("ifavailable", false, "plain.test", StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, false),
            Arguments.of("required", true, "plain.test", StartTlsMode.MANDATORY, TlsMechanism.POLICY, TlsLevel.REQUIRED, false),
            Arguments.of("ifavailable", true, "testing.test", StartTlsMode.IF_OFFERED, TlsMechanism.MTA_STS, TlsLevel.IFAVAILABLE, true),
            Arguments.of("required", true, "testing.test", StartTlsMode.MANDATORY, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, false),
            Arguments.of("ifavailable", true, "sts.test", StartTlsMode.MANDATORY, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, false),
            Arguments.of("ifavailable", true, "dane.test", StartTlsMode.MANDATORY, TlsMechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("ifavailable", true, "pkix.test", StartTlsMode.MANDATORY, TlsMechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("ifavailable", true, "nosts.test", StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, true),
            Arguments.of("no", true, "req.test", StartTlsMode.MANDATORY, TlsMechanism.POLICY, TlsLevel.REQUIRED, false));
    }

    @ParameterizedTest(name = "tls={0} fallback={1} {2}: {3} by {4}, {5}, plaintext fallback={6}")
    @MethodSource("levelsAndFallback")
    void operatorLevelPublishedPolicyAndFallback(String operatorLevel, boolean fallback, String domain, StartTlsMode mode,
                                                 TlsMechanism mechanism, TlsLevel effective, boolean plaintextFallback)
            throws Exception {
        MxPlan mx = plan(operatorLevel, fallback, domain, "mx." + domain.replace(".test", "") + ".test").mxPlans().get(0);

        assertThat(mx.connection().orElseThrow().startTlsMode()).isEqualTo(mode);
        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(effective);
        assertThat(mx.plaintextFallback().isPresent()).isEqualTo(plaintextFallback);
        mx.plaintextFallback().ifPresent(plaintext -> {
            assertThat(plaintext.startTlsMode()).isEqualTo(StartTlsMode.NEVER);
            assertThat(plaintext.heloName()).isEqualTo(mx.connection().orElseThrow().heloName());
        });
    }

    /**
     * TLS-RPT: domain, MX host James's DNS gives -> the policy its sessions are reported under (type, policy domain,
     * strings, mx-host), the policy's own problem, and the problem a refusal carries.
     */
    static Stream<Arguments> reportTerms() {
        String sts = "[version: STSv1, mode: enforce, mx: mx.sts.test, max_age: 86400] mx=[mx.sts.test]";
        String testing = "[version: STSv1, mode: testing, mx: mx.sts.test, max_age: 86400] mx=[mx.sts.test]";
        return Stream.of(
            Arguments.of("dane.test", "mx.dane.test", "tlsa mx.dane.test [3 1 1 " + HASH + "] mx=[mx.dane.test]", "-", "-"),
            Arguments.of("dane.test", "mx.forged.test", "tlsa dane.test [] mx=[]", "-", "MX_NOT_IN_SECURE_MX_SET mx.forged.test"),
            Arguments.of("pkix.test", "mx.pkix.test", "tlsa mx.pkix.test [] mx=[mx.pkix.test]", "TLSA_NONE_USABLE dane=secure-no-usable", "-"),
            Arguments.of("tlsabogus.test", "mx.tlsabogus.test", "tlsa mx.tlsabogus.test [] mx=[]", "-", "DNSSEC_FAILED dane=bogus"),
            Arguments.of("sts.test", "mx.sts.test", "sts sts.test " + sts, "-", "-"),
            Arguments.of("sts.test", "mx.elsewhere.test", "sts sts.test " + sts, "-", "MX_NOT_IN_STS_POLICY mx.elsewhere.test"),
            Arguments.of("testing.test", "mx.sts.test", "sts testing.test " + testing, "-", "-"),
            Arguments.of("testing.test", "mx.elsewhere.test", "sts testing.test " + testing, "MX_NOT_IN_STS_POLICY mx.elsewhere.test", "-"),
            Arguments.of("fetchfail.test", "mx.fetchfail.test", "sts fetchfail.test [] mx=[]", "STS_POLICY_UNAVAILABLE", "-"),
            Arguments.of("nosts.test", "mx.elsewhere.test", "no-policy-found nosts.test [] mx=[]", "-", "-"),
            Arguments.of("nodane.test", "mx.dane.test", "no-policy-found nodane.test [] mx=[]", "-", "-"),
            Arguments.of("plain.test", "mx.plain.test", "no-policy-found plain.test [] mx=[]", "-", "-"));
    }

    @ParameterizedTest(name = "{0} via {1}: {2}")
    @MethodSource("reportTerms")
    void eachMxIsReportedUnderThePolicyItWasJudgedBy(String domain, String mxHost, String policy, String policyProblem,
                                                    String refusalProblem) throws Exception {
        MxPlan mx = plan("no", false, domain, mxHost).mxPlans().get(0);

        assertThat(mx.reportTerms().policy().map(Object::toString)).contains(policy);
        assertThat(mx.reportTerms().policyProblem().map(Object::toString).orElse("-")).startsWith(policyProblem);
        assertThat(mx.refusal().flatMap(DeliveryFailure::tlsProblem).map(Object::toString).orElse("-"))
            .startsWith(refusalProblem);
    }

    @Test
    void aBogusMxRrsetIsReportedToTheRecipientDomainAndAPlainDnsFailureNotAtAll() throws Exception {
        DeliveryPlan.DomainFailure bogus = plan("no", false, "bogus.test", "mx.bogus.test").domainFailure().orElseThrow();
        DeliveryPlan.DomainFailure dns = planner(new FakeDns()).plan(request(policy("required"), "nowhere.test",
            Optional.empty())).domainFailure().orElseThrow();

        assertThat(bogus.reportTerms().policy().map(Object::toString)).contains("tlsa bogus.test [] mx=[]");
        assertThat(bogus.failure().tlsProblem().map(Object::toString)).hasValueSatisfying(problem ->
            assertThat(problem).startsWith("DNSSEC_FAILED mx of bogus.test: BOGUS"));
        assertThat(dns.reportTerms()).isSameAs(TlsReportTerms.NOT_REPORTED);
        assertThat(dns.failure().tlsProblem()).isEmpty();
    }

    @Test
    void eachPlanCarriesTheTlsProfileItsMechanismDemands() throws Exception {
        ResolvedTlsPolicy policy = policy("ifavailable").resolve("plain.test", Optional.empty());

        assertThat(negotiator("plain.test")).isSameAs(profiles.operator(policy));
        assertThat(negotiator("sts.test")).isSameAs(profiles.mtaStsEnforce(policy("ifavailable").resolve("sts.test",
            Optional.empty())));
        assertThat(negotiator("testing.test")).isSameAs(profiles.mtaStsTesting(policy("ifavailable").resolve("testing.test",
            Optional.empty())));
        // a secure TLSA RRset without usable records: mandatory TLS, authenticated as the operator asks
        assertThat(negotiator("pkix.test")).isSameAs(profiles.operator(policy("ifavailable").resolve("pkix.test",
            Optional.empty())));
        // usable TLSA records: a profile of their own, shared by the next mail to the same MX
        assertThat(negotiator("dane.test")).isNotSameAs(profiles.operator(policy("ifavailable").resolve("dane.test",
            Optional.empty()))).isSameAs(negotiator("dane.test"));
    }

    @Test
    void usableDaneWinsOverAnEnforcedMtaStsPolicyThatDoesNotListTheMx() throws Exception {
        MxPlan mx = plan("no", false, "dane.test", "mx.dane.test").mxPlans().get(0);

        assertThat(mx.security().mechanism()).isEqualTo(TlsMechanism.DANE);
        assertThat(mx.security().published()).startsWith("dane: ").contains("3 1 1 " + HASH);
    }

    @Test
    void aPublishedPolicyNeverLowersTheOperatorsRequired() throws Exception {
        assertThat(plan("no", false, "req.test", "mx.req.test").mxPlans().get(0).security().effectiveLevel())
            .isEqualTo(TlsLevel.REQUIRED);
        assertThat(plan("required", false, "testing.test", "mx.sts.test").mxPlans().get(0).security().effectiveLevel())
            .isEqualTo(TlsLevel.REQUIRED);
    }

    @Test
    void bogusOrFailedMxLookupsDeferTheWholeDomain() throws Exception {
        assertThat(plan("no", false, "bogus.test", "mx.bogus.test").domainFailure()).hasValueSatisfying(failure -> {
            assertThat(failure.failure().enhancedStatus()).isEqualTo("4.7.5");
            assertThat(failure.failure().kind().isTls()).isTrue();
            assertThat(failure.failure().detail()).contains("DNSSEC lookup of the MX of bogus.test failed", "BOGUS");
            assertThat(failure.security().mechanism()).isEqualTo(TlsMechanism.DANE);
            assertThat(failure.security().published()).contains("dane mx mx of bogus.test: BOGUS");
        });
        assertThat(plan("no", false, "down.test", "mx.down.test").domainFailure()).isPresent();
        assertThat(plan("no", false, "down.test", "mx.down.test").mxPlans()).isEmpty();
    }

    @Test
    void aDnsFailureIsTheDomainsFailureBeforeAnyPublishedPolicyIsLookedUp() throws Exception {
        DeliveryPlan plan = planner(new FakeDns()).plan(request(policy("required"), "nowhere.test", Optional.empty()));

        assertThat(plan.domainFailure()).hasValueSatisfying(failure -> {
            assertThat(failure.failure().enhancedStatus()).isEqualTo("5.1.2");
            assertThat(failure.security().mechanism()).isEqualTo(TlsMechanism.POLICY);
            assertThat(failure.security().published()).isEqualTo("none");
        });
        assertThat(dns.txtLookups.get()).as("no MTA-STS lookup for a domain without MX").isZero();
    }

    @Test
    void everyAddressOfEveryMxInPreferenceOrderWithTheBindingsIdentity() throws Exception {
        FakeDns james = new FakeDns().mx("plain.test", "mx1.plain.test", "mx2.plain.test")
            .a("mx1.plain.test", "192.0.2.11", "192.0.2.12").a("mx2.plain.test", "192.0.2.13");
        TlsPolicy policy = policy("ifavailable");

        DeliveryPlan plan = planner(james).plan(request(policy, "plain.test", policy.binding("b1")));

        assertThat(plan.mxPlans()).extracting(mx -> mx.target().toString()).containsExactly(
            "mx1.plain.test [192.0.2.11]:25", "mx1.plain.test [192.0.2.12]:25", "mx2.plain.test [192.0.2.13]:25");
        assertThat(plan.mxPlans()).allSatisfy(mx -> {
            assertThat(mx.connection().orElseThrow().heloName()).isEqualTo("b1.bind.test");
            assertThat(mx.connection().orElseThrow().bindAddress().orElseThrow().getHostAddress()).isEqualTo("127.0.0.51");
        });
        assertThat(plan.label().binding()).isEqualTo("b1");
        assertThat(planner(james).plan(request(policy, "plain.test", Optional.empty())).mxPlans())
            .allSatisfy(mx -> assertThat(mx.connection().orElseThrow().heloName()).isEqualTo("relay.test"));
    }

    /** failure of the first connection -> whether the planned plaintext fallback is made now. */
    @ParameterizedTest(name = "{0} -> fallback now: {1}")
    @MethodSource("firstFailures")
    void thePlaintextFallbackFollowsOnlyAFailedHandshake(FailureKind kind, boolean fallbackNow) throws Exception {
        MxPlan mx = plan("ifavailable", true, "plain.test", "mx.plain.test").mxPlans().get(0);
        HostAttemptResult first = HostAttemptResult.notTransacted(mx.target(), Optional.empty(),
            new DeliveryFailure(kind, "4.7.5", "first attempt"));

        assertThat(mx.fallbackAfter(first).isPresent()).isEqualTo(fallbackNow);
    }

    static Stream<Arguments> firstFailures() {
        return Stream.of(
            Arguments.of(FailureKind.TLS_NEGOTIATION, true),
            Arguments.of(FailureKind.TLS_VERIFICATION, true),
            Arguments.of(FailureKind.STARTTLS_NOT_OFFERED, false),
            Arguments.of(FailureKind.CONNECTION, false),
            Arguments.of(FailureKind.GREETING_REJECTED, false));
    }

    /**
     * The profile a published policy needs cannot be built (the tlsCa file became unreadable after start-up): the MX is
     * refused 4.3.0 internal-error, reported with the mechanism whose profile failed and the level it would have used
     * (not the published-policy refusal's "required" under "policy"), and counted as internal-error.
     */
    @ParameterizedTest(name = "{0}: refused by {1} at {2}")
    @CsvSource({"sts.test, MTA_STS, REQUIRED", "testing.test, MTA_STS, IFAVAILABLE"})
    void unusableTlsSettingsRefuseTheMxAsAnInternalError(String domain, TlsMechanism mechanism, TlsLevel level)
            throws Exception {
        TlsPolicy policy = TlsPolicyParser.parse(new ByteArrayInputStream(
            "<tlsPolicy><tls>ifavailable</tls><tlsCa>file://ca.pem</tlsCa></tlsPolicy>".getBytes(StandardCharsets.UTF_8)),
            "t.xml");
        FakeDns james = new FakeDns().mx(domain, "mx.sts.test").a("mx.sts.test", "192.0.2.9");
        TlsProfiles readableOnce = new TlsProfiles(new TlsClientContexts(caReadableOnce()));
        DeliveryRequest request = request(policy, domain, Optional.empty());

        DeliveryPlan plan = planner(james, readableOnce).plan(request);

        MxPlan mx = plan.mxPlans().get(0);
        assertThat(mx.refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.kind()).isEqualTo(FailureKind.INTERNAL);
            assertThat(refusal.enhancedStatus()).isEqualTo("4.3.0");
        });
        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(level);
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        try (SessionPool pool = new SessionPool(1, Duration.ZERO, 1)) {
            new DomainDeliverer(new HostDelivery(1000, 1000, pool), new DeliveryMetrics(metrics))
                .deliver(null, List.of(new MailAddress("to@" + domain)), plan);
        }
        assertThat(metrics.countFor("jamestls_attempts_ifavailable_internal_error")).isEqualTo(1);
        assertThat(metrics.countFor("jamestls_mechanism_mta_sts_internal_error")).isEqualTo(1);
        assertThat(metrics.countFor("jamestls_mechanism_mta_sts_published_policy")).isZero();
    }

    /** The JDK's first trusted CA as PEM the first time (the operator's profile at start-up), then unreadable. */
    private static TlsClientContexts.ResourceOpener caReadableOnce() throws Exception {
        KeyStore jdk = KeyStore.getInstance(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toFile(),
            (char[]) null);
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(jdk.getCertificate(jdk.aliases().nextElement()).getEncoded()) + "\n-----END CERTIFICATE-----\n";
        AtomicInteger opened = new AtomicInteger();
        return url -> {
            if (opened.incrementAndGet() > 1) {
                throw new FileNotFoundException(url + " (removed since start-up)");
            }
            return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
        };
    }

    /**
     * REQUIRETLS (RFC 8689 section 4.2.1): domain, the MX James's DNS gives -> the refusal's status (none: the MX
     * qualifies), the deciding mechanism, and for a qualifying MX whether usable DANE records verify it (else PKIX +
     * host name). The same whatever the operator's level and tlsRequiredHeader say (see the test below).
     */
    static Stream<Arguments> requireTlsDecisions() {
        return Stream.of(
            // DNSSEC-validated MX: usable TLSA records verify; a secure RRset without (usable) records: PKIX + host
            Arguments.of("dane.test", "mx.dane.test", null, TlsMechanism.REQUIRETLS, true),
            Arguments.of("dnssec.test", "mx.dnssec.test", null, TlsMechanism.REQUIRETLS, false),
            Arguments.of("pkix.test", "mx.pkix.test", null, TlsMechanism.REQUIRETLS, false),
            // an MX the validated RRset lacks is forged: refused as for any mail (temporary)
            Arguments.of("dane.test", "mx.forged.test", "4.7.5", TlsMechanism.DANE, false),
            // MTA-STS: the MX listed by an enforce or testing policy qualifies; enforce refuses the others as ever
            Arguments.of("sts.test", "mx.sts.test", null, TlsMechanism.REQUIRETLS, false),
            Arguments.of("sts.test", "mx.elsewhere.test", "4.7.5", TlsMechanism.MTA_STS, false),
            Arguments.of("testing.test", "mx.sts.test", null, TlsMechanism.REQUIRETLS, false),
            Arguments.of("testing.test", "mx.elsewhere.test", "5.7.30", TlsMechanism.REQUIRETLS, false),
            // nothing secure: an unsigned domain without MTA-STS, dane off (its secure RRset unused), mtaSts off
            Arguments.of("plain.test", "mx.plain.test", "5.7.30", TlsMechanism.REQUIRETLS, false),
            Arguments.of("nodane.test", "mx.dane.test", "5.7.30", TlsMechanism.REQUIRETLS, false),
            Arguments.of("nosts.test", "mx.sts.test", "5.7.30", TlsMechanism.REQUIRETLS, false),
            // an announced MTA-STS policy that cannot be fetched (none cached) may list the MX later: temporary
            Arguments.of("fetchfail.test", "mx.fetchfail.test", "4.7.5", TlsMechanism.REQUIRETLS, false));
    }

    static Stream<Arguments> requireTlsTable() {
        return requireTlsDecisions().flatMap(row -> Stream.of("no", "ifavailable", "required").flatMap(level ->
            Stream.of("published", "all", "ignore").map(header -> {
                Object[] values = row.get();
                return Arguments.of(values[0], values[1], level, header, values[2], values[3], values[4]);
            })));
    }

    @ParameterizedTest(name = "REQUIRETLS to {0} via {1}, tls={2}, tlsRequiredHeader={3}: refused={4} by {5}, DANE={6}")
    @MethodSource("requireTlsTable")
    void requireTlsQualifiesTheMxOrRefusesIt(String domain, String mxHost, String level, String header, String refusal,
                                             TlsMechanism mechanism, boolean byDane) throws Exception {
        MxPlan mx = plan(SenderTls.REQUIRETLS, level, true, domain, mxHost,
            "<tlsRequiredHeader>" + header + "</tlsRequiredHeader>", REMEMBER).mxPlans().get(0);

        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(TlsLevel.REQUIRED);
        assertThat(mx.plaintextFallback()).as("nothing ever falls back").isEmpty();
        assertThat(mx.brokenTls()).as("the broken-TLS memory is never consulted").isEmpty();
        if (refusal != null) {
            assertThat(mx.refusal().orElseThrow().enhancedStatus()).isEqualTo(refusal);
            assertThat(mx.refusal().get().isPermanent()).isEqualTo(refusal.startsWith("5"));
            if (mechanism == TlsMechanism.REQUIRETLS) {
                assertThat(mx.refusal().get().kind()).isEqualTo(FailureKind.REQUIRETLS);
                assertThat(mx.refusal().get().detail()).startsWith("REQUIRETLS: " + mx.target())
                    .contains("not found securely", "is not DNSSEC-validated")
                    .contains(refusal.equals("4.7.5") ? "could not be fetched" : "no MTA-STS policy lists it");
                assertThat(mx.refusalOutcome()).isEqualTo("requiretls");
            }
            return;
        }
        ConnectionPlan connection = mx.connection().orElseThrow();
        assertThat(connection.startTlsMode()).isEqualTo(StartTlsMode.MANDATORY);
        assertThat(connection.requireTls()).isTrue();
        ResolvedTlsPolicy policy = policy(level).resolve(domain, Optional.empty());
        if (byDane) {
            assertThat(connection.tlsNegotiator()).isNotSameAs(profiles.requireTls(policy));
            assertThat(mx.security().published()).contains("certificate by DANE", "3 1 1 " + HASH);
        } else {
            assertThat(connection.tlsNegotiator()).as("PKIX + host name, whatever tlsVerify says")
                .isSameAs(profiles.requireTls(policy)).isSameAs(profiles.mtaStsEnforce(policy));
            assertThat(mx.security().published()).contains("certificate by PKIX + host name (JDK trust store)");
        }
        assertThat(mx.security().published()).startsWith("requiretls: mx ").contains("REQUIRETLS offered and passed on");
    }

    @Test
    void requireTlsKeepsTheDomainFailureOfABogusMxRrset() throws Exception {
        DeliveryPlan plan = plan(SenderTls.REQUIRETLS, "ifavailable", false, "bogus.test", "mx.bogus.test");

        assertThat(plan.domainFailure().orElseThrow().failure().enhancedStatus()).isEqualTo("4.7.5");
    }

    /** Under REQUIRETLS a TLS failure is final (5.7.30); other failures, and any failure without REQUIRETLS, stay. */
    @ParameterizedTest(name = "{0} ({1}) under REQUIRETLS -> {2}")
    @CsvSource({
        "STARTTLS_NOT_OFFERED, 4.7.6, 5.7.30",
        "TLS_NEGOTIATION,      4.7.5, 5.7.30",
        "TLS_VERIFICATION,     4.7.5, 5.7.30",
        "REQUIRETLS_MISSING,   5.7.30, 5.7.30",
        "CONNECTION,           4.4.1, 4.4.1",
        "GREETING_REJECTED,    4.3.2, 4.3.2"
    })
    void aTlsFailureIsFinalOnlyUnderRequireTls(FailureKind kind, String status, String underRequireTls) throws Exception {
        DeliveryFailure failure = new DeliveryFailure(kind, status, "mx.sts.test [192.0.2.9]:25: " + kind);
        MxPlan requireTls = plan(SenderTls.REQUIRETLS, "ifavailable", false, "sts.test", "mx.sts.test").mxPlans().get(0);
        MxPlan plain = plan("required", false, "sts.test", "mx.sts.test").mxPlans().get(0);

        DeliveryFailure judged = requireTls.failureOf(failure);

        assertThat(judged.enhancedStatus()).isEqualTo(underRequireTls);
        assertThat(judged.kind().isRequireTls()).isEqualTo(underRequireTls.equals("5.7.30"));
        assertThat(judged.detail()).contains(failure.detail());
        assertThat(plain.failureOf(failure)).isSameAs(failure);
    }

    /**
     * TLS-Required: No: tlsRequiredHeader, operator tls (and the mailet's fallback), domain, James's MX -> STARTTLS
     * mode, mechanism, effective level, plaintext fallback, whether the certificate check was lowered to a record.
     */
    static Stream<Arguments> tlsRequiredNoTable() {
        return Stream.of(
            // published: what receivers publish is left out (an enforced MTA-STS, usable DANE, refusals, a bogus
            // RRset), the operator's level stands
            Arguments.of("published", "ifavailable", false, "sts.test", "mx.sts.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, false, false),
            Arguments.of("published", "ifavailable", true, "plain.test", "mx.plain.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, true, false),
            Arguments.of("published", "ifavailable", false, "sts.test", "mx.elsewhere.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, false, false),
            Arguments.of("published", "ifavailable", false, "dane.test", "mx.forged.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, false, false),
            Arguments.of("published", "required", false, "dane.test", "mx.dane.test", StartTlsMode.MANDATORY, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.REQUIRED, false, false),
            Arguments.of("published", "no", false, "sts.test", "mx.sts.test", StartTlsMode.NEVER, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.NO, false, false),
            Arguments.of("published", "no", false, "bogus.test", "mx.bogus.test", StartTlsMode.NEVER, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.NO, false, false),
            // the test policy's own required for req.test stands too
            Arguments.of("published", "no", false, "req.test", "mx.req.test", StartTlsMode.MANDATORY, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.REQUIRED, false, false),
            // all: the operator's ifavailable and required become TLS when offered, plaintext at once after a failed
            // handshake, the certificate recorded; no stays no
            Arguments.of("all", "required", false, "dane.test", "mx.dane.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, true, true),
            Arguments.of("all", "required", false, "plain.test", "mx.plain.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, true, true),
            Arguments.of("all", "ifavailable", false, "sts.test", "mx.sts.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, true, true),
            Arguments.of("all", "no", false, "sts.test", "mx.sts.test", StartTlsMode.NEVER, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.NO, false, false),
            Arguments.of("all", "no", false, "req.test", "mx.req.test", StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, true, true),
            // ignore: the header changes nothing
            Arguments.of("ignore", "ifavailable", false, "sts.test", "mx.sts.test", StartTlsMode.MANDATORY, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, false, false),
            Arguments.of("ignore", "required", true, "plain.test", "mx.plain.test", StartTlsMode.MANDATORY, TlsMechanism.POLICY, TlsLevel.REQUIRED, false, false),
            Arguments.of("ignore", "ifavailable", true, "plain.test", "mx.plain.test", StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, true, false));
    }

    @ParameterizedTest(name = "TLS-Required: No, tlsRequiredHeader={0}, tls={1} fallback={2}, {3} via {4}: {5} by {6}, {7}, fallback={8}, lowered check={9}")
    @MethodSource("tlsRequiredNoTable")
    void theTlsRequiredNoHeaderLowersWhatTlsRequiredHeaderLets(String header, String level, boolean fallback,
                                                              String domain, String mxHost, StartTlsMode mode,
                                                              TlsMechanism mechanism, TlsLevel effective,
                                                              boolean plaintextFallback, boolean loweredCheck)
            throws Exception {
        String[] options = {"<tlsRequiredHeader>" + header + "</tlsRequiredHeader>", "<tlsVerify>host</tlsVerify>"};
        DeliveryPlan plan = plan(SenderTls.TLS_REQUIRED_NO, level, fallback, domain, mxHost, options);
        MxPlan mx = plan.mxPlans().get(0);
        ResolvedTlsPolicy policy = policy(level, options).resolve(domain, Optional.empty());

        assertThat(plan.domainFailure()).isEmpty();
        assertThat(mx.refusal()).isEmpty();
        assertThat(mx.connection().orElseThrow().startTlsMode()).isEqualTo(mode);
        assertThat(mx.connection().get().requireTls()).isFalse();
        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(effective);
        assertThat(mx.plaintextFallback().isPresent()).isEqualTo(plaintextFallback);
        mx.plaintextFallback().ifPresent(plaintext -> assertThat(plaintext.startTlsMode()).isEqualTo(StartTlsMode.NEVER));
        if (mechanism == TlsMechanism.TLS_REQUIRED_NO) {
            assertThat(dns.txtLookups.get()).as("MTA-STS not looked up").isZero();
            assertThat(mx.security().published()).startsWith("tls-required-no: TLS-Required: No, tlsRequiredHeader="
                + header + " [global]").contains("MTA-STS and DANE not looked up");
            assertThat(mx.connection().get().tlsNegotiator()).isSameAs(loweredCheck
                ? profiles.neverFailing(policy) : profiles.operator(policy));
        }
        if (loweredCheck) {
            assertThat(profiles.neverFailing(policy)).isNotSameAs(profiles.operator(policy));
        }
    }

    /**
     * The broken-TLS memory: operator tls, domain (and James's MX), what the sender asked, the policy's options, an
     * entry for the MX address -> STARTTLS mode, mechanism, effective level, and what the plan does with the memory
     * (uses the entry, remembers a failed handshake, or leaves the memory alone).
     */
    static Stream<Arguments> brokenTlsTable() {
        String[] remember = {REMEMBER};
        String[] off = {};
        String[] lowerAll = {REMEMBER, "<tlsRequiredHeader>all</tlsRequiredHeader>"};
        return Stream.of(
            Arguments.of("ifavailable", "plain.test", SenderTls.NONE, remember, true, StartTlsMode.NEVER, TlsMechanism.BROKEN_TLS, TlsLevel.NO, Memory.USED),
            Arguments.of("ifavailable", "plain.test", SenderTls.NONE, remember, false, StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, Memory.REMEMBERS),
            Arguments.of("ifavailable", "plain.test", SenderTls.NONE, off, true, StartTlsMode.IF_OFFERED, TlsMechanism.POLICY, TlsLevel.IFAVAILABLE, Memory.NOT_CONSULTED),
            Arguments.of("required", "plain.test", SenderTls.NONE, remember, true, StartTlsMode.MANDATORY, TlsMechanism.POLICY, TlsLevel.REQUIRED, Memory.NOT_CONSULTED),
            Arguments.of("no", "plain.test", SenderTls.NONE, remember, true, StartTlsMode.NEVER, TlsMechanism.POLICY, TlsLevel.NO, Memory.NOT_CONSULTED),
            // what receivers publish raises ifavailable: never plaintext, nothing remembered
            Arguments.of("ifavailable", "sts.test", SenderTls.NONE, remember, true, StartTlsMode.MANDATORY, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, Memory.NOT_CONSULTED),
            Arguments.of("ifavailable", "dane.test", SenderTls.NONE, remember, true, StartTlsMode.MANDATORY, TlsMechanism.DANE, TlsLevel.REQUIRED, Memory.NOT_CONSULTED),
            Arguments.of("ifavailable", "pkix.test", SenderTls.NONE, remember, true, StartTlsMode.MANDATORY, TlsMechanism.DANE, TlsLevel.REQUIRED, Memory.NOT_CONSULTED),
            // MTA-STS testing does not raise it
            Arguments.of("ifavailable", "testing.test", SenderTls.NONE, remember, true, StartTlsMode.NEVER, TlsMechanism.BROKEN_TLS, TlsLevel.NO, Memory.USED),
            Arguments.of("ifavailable", "sts.test", SenderTls.REQUIRETLS, remember, true, StartTlsMode.MANDATORY, TlsMechanism.REQUIRETLS, TlsLevel.REQUIRED, Memory.NOT_CONSULTED),
            Arguments.of("ifavailable", "sts.test", SenderTls.TLS_REQUIRED_NO, remember, true, StartTlsMode.NEVER, TlsMechanism.BROKEN_TLS, TlsLevel.NO, Memory.USED),
            Arguments.of("ifavailable", "plain.test", SenderTls.TLS_REQUIRED_NO, lowerAll, false, StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, Memory.REMEMBERS),
            // an operator's required lowered by the header is still not the operator's ifavailable
            Arguments.of("required", "plain.test", SenderTls.TLS_REQUIRED_NO, lowerAll, true, StartTlsMode.IF_OFFERED, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, Memory.NOT_CONSULTED));
    }

    enum Memory { USED, REMEMBERS, NOT_CONSULTED }

    @ParameterizedTest(name = "tls={0} {1}, sender {2}, options {3}, remembered={4}: {5} by {6}, {7}, memory {8}")
    @MethodSource("brokenTlsTable")
    void theBrokenTlsMemoryOnlyServesAnOperatorsIfavailable(String level, String domain, SenderTls asked,
                                                             String[] options, boolean remembered, StartTlsMode mode,
                                                             TlsMechanism mechanism, TlsLevel effective, Memory memory)
            throws Exception {
        BrokenTlsKey key = BrokenTlsKey.of(InetAddress.getByName(JAMES_MX_ADDRESS), 25, Optional.empty());
        if (remembered) {
            brokenTls.remember(key, "mx.test", "TLS negotiation failed (4.7.5)", Instant.now(), Duration.ofHours(1));
        }

        MxPlan mx = plan(asked, level, true, domain, "mx." + domain.replace(".test", "") + ".test", options).mxPlans().get(0);

        assertThat(mx.connection().orElseThrow().startTlsMode()).isEqualTo(mode);
        assertThat(mx.security().mechanism()).isEqualTo(mechanism);
        assertThat(mx.security().effectiveLevel()).isEqualTo(effective);
        assertThat(mx.brokenTls().map(b -> b.used().isPresent() ? Memory.USED : Memory.REMEMBERS)
            .orElse(Memory.NOT_CONSULTED)).isEqualTo(memory);
        if (memory == Memory.USED) {
            assertThat(mx.plaintextFallback()).isEmpty();
            assertThat(mx.security().published()).startsWith("broken-tls: TLS handshake with [192.0.2.9]:25 from default failed at ")
                .contains("TLS negotiation failed (4.7.5)", "plaintext until ", "tlsRememberBroken=1 hour [global]");
        }
        if (memory != Memory.NOT_CONSULTED) {
            assertThat(mx.brokenTls().get().key()).isEqualTo(key);
        }
    }

    @Test
    void anEntryCountsForItsOwnSourceAddressOnlyAndUntilItExpires() throws Exception {
        InetAddress mx = InetAddress.getByName("192.0.2.11");
        FakeDns james = new FakeDns().mx("plain.test", "mx1.plain.test").a("mx1.plain.test", "192.0.2.11");
        TlsPolicy policy = policy("ifavailable", REMEMBER);
        Optional<Binding> b1 = policy.binding("b1");
        brokenTls.remember(BrokenTlsKey.of(mx, 25, b1.orElseThrow().bindAddress()), "mx1.plain.test", "failed",
            Instant.now(), Duration.ofHours(1));
        brokenTls.remember(BrokenTlsKey.of(mx, 26, Optional.empty()), "mx1.plain.test", "failed", Instant.now(),
            Duration.ofHours(1));

        assertThat(mechanism(planner(james).plan(request(policy, "plain.test", b1)))).isEqualTo(TlsMechanism.BROKEN_TLS);
        assertThat(mechanism(planner(james).plan(request(policy, "plain.test", Optional.empty()))))
            .as("another source address, another port").isEqualTo(TlsMechanism.POLICY);

        brokenTls.remember(BrokenTlsKey.of(mx, 25, Optional.empty()), "mx1.plain.test", "failed",
            Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
        assertThat(mechanism(planner(james).plan(request(policy, "plain.test", Optional.empty()))))
            .as("expired").isEqualTo(TlsMechanism.POLICY);
    }

    /** What a plan's broken-TLS handling makes of each connection result. */
    @ParameterizedTest(name = "remembered before={0}, connection {1} -> remembered after={2}, uses {3}")
    @CsvSource(nullValues = "-", value = {
        "false, TLS_NEGOTIATION,  true,  0",
        "false, TLS_VERIFICATION, false, 0",
        "false, CONNECTION,       false, 0",
        "false, -,                false, 0",
        "true,  -,                true,  1",
        "true,  CONNECTION,       true,  0"
    })
    void eachConnectionResultIsReportedToTheMemory(boolean rememberedBefore, FailureKind failure, boolean rememberedAfter,
                                                   long uses) throws Exception {
        BrokenTlsKey key = BrokenTlsKey.of(InetAddress.getByName(JAMES_MX_ADDRESS), 25, Optional.empty());
        if (rememberedBefore) {
            brokenTls.remember(key, "mx.plain.test", "earlier failure (4.7.5)", Instant.now(), Duration.ofHours(1));
        }
        MxPlan mx = plan(SenderTls.NONE, "ifavailable", false, "plain.test", "mx.plain.test", REMEMBER).mxPlans().get(0);
        HostAttemptResult result = failure == null
            ? HostAttemptResult.transacted(mx.target(), Optional.empty(), List.of())
            : HostAttemptResult.notTransacted(mx.target(), Optional.empty(), new DeliveryFailure(failure, "4.7.5", "it failed"));

        mx.afterAttempt(result);

        Optional<BrokenTlsEntry> entry = brokenTls.isRemembered(key, Instant.now());
        assertThat(entry.isPresent()).isEqualTo(rememberedAfter);
        entry.ifPresent(e -> {
            assertThat(e.uses()).isEqualTo(uses);
            assertThat(e.until()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            assertThat(e.failure()).isEqualTo(rememberedBefore ? "earlier failure (4.7.5)" : "it failed (4.7.5)");
        });
        assertThat(metrics.countFor("jamestls_broken_tls_used")).isEqualTo(uses);
    }

    private static TlsMechanism mechanism(DeliveryPlan plan) {
        return plan.mxPlans().get(0).security().mechanism();
    }

    private DeliveryPlan plan(String operatorLevel, boolean fallback, String domain, String jamesMx) throws Exception {
        return plan(SenderTls.NONE, operatorLevel, fallback, domain, jamesMx);
    }

    /** One mail whose sender asked {@code asked}; {@code globalOptions} are added to the policy's global scope. */
    private DeliveryPlan plan(SenderTls asked, String operatorLevel, boolean fallback, String domain, String jamesMx,
                              String... globalOptions) throws Exception {
        FakeDns james = new FakeDns().mx(domain, jamesMx).a(jamesMx, JAMES_MX_ADDRESS);
        EffectivePolicy policy = new EffectivePolicy(policy(operatorLevel, globalOptions), fallback);
        return planner(james).plan(new DeliveryRequest("m1-to-" + domain, domain, Optional.empty(),
            policy.resolve(domain, Optional.empty())).withSenderTls(asked));
    }

    private Object negotiator(String domain) throws Exception {
        return plan("ifavailable", false, domain, "mx." + domain.replace(".test", "") + ".test").mxPlans().get(0)
            .connection().orElseThrow().tlsNegotiator();
    }

    private static DeliveryRequest request(TlsPolicy policy, String domain, Optional<Binding> binding) {
        return new DeliveryRequest("m1-to-" + domain, domain, binding,
            new EffectivePolicy(policy, false).resolve(domain, binding));
    }

    private DeliveryPlanner planner(FakeDns james) {
        return planner(james, profiles);
    }

    private DeliveryPlanner planner(FakeDns james, TlsProfiles profiles) {
        MtaStsPolicySource mtaSts = new MtaStsPolicySource(dns, domain -> {
            if (domain.equals("testing.test")) {
                return "version: STSv1\nmode: testing\nmx: mx.sts.test\nmax_age: 86400\n";
            }
            if (domain.equals("dane.test") || domain.endsWith("sts.test")) {
                return "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n";
            }
            throw new MtaStsFetchException("HTTP 404");
        }, new MtaStsPolicyCache(cacheDir), Clock.systemUTC());
        PublishedPolicies published = new PublishedPolicies(Optional.of(mtaSts),
            Optional.of(new DaneLookup(ScriptedValidatingResolver.resolverOver(dnssec))), 25);
        return new DeliveryPlanner(new MxResolver(james, 25), published, profiles, "relay.test", brokenTls,
            Clock.systemUTC());
    }

    private static TlsPolicy policy(String operatorLevel, String... globalOptions) throws Exception {
        String xml = "<tlsPolicy>\n  <tls>" + operatorLevel + "</tls>\n" + String.join("\n", globalOptions) + "\n"
            + DOMAINS + "\n</tlsPolicy>";
        return TlsPolicyParser.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "t.xml");
    }
}
