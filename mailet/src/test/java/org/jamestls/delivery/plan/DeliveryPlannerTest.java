package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;

import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.ScriptedValidatingResolver;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.TlsMechanism;
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
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * What the planner makes of operator level x what the domain publishes x the plaintext fallback, over scripted
 * DNSSEC answers, MTA-STS policies and James's DNS: usable DANE > MTA-STS enforce > the operator's policy;
 * published policies only raise the level and take the fallback away; bogus DNSSEC defers the whole domain; an MX
 * outside an enforced policy or the validated MX RRset is a 4.7.5 refusal; the per-scope switches turn each
 * mechanism off; each plan carries its final TLS profile.
 */
class DeliveryPlannerTest {
    private static final String HASH = "ab".repeat(32);
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
        .insecure("sts.test", Type.MX, "10 mx.sts.test.")
        .insecure("nosts.test", Type.MX, "10 mx.sts.test.")
        .insecure("testing.test", Type.MX, "10 mx.sts.test.")
        .insecure("plain.test", Type.MX, "10 mx.plain.test.")
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

    private DeliveryPlan plan(String operatorLevel, boolean fallback, String domain, String jamesMx) throws Exception {
        FakeDns james = new FakeDns().mx(domain, jamesMx).a(jamesMx, "192.0.2.9");
        EffectivePolicy policy = new EffectivePolicy(policy(operatorLevel), fallback);
        return planner(james).plan(new DeliveryRequest("m1-to-" + domain, domain, Optional.empty(),
            policy.resolve(domain, Optional.empty())));
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
        return new DeliveryPlanner(new MxResolver(james, 25), published, profiles, "relay.test");
    }

    private static TlsPolicy policy(String operatorLevel) throws Exception {
        String xml = "<tlsPolicy>\n  <tls>" + operatorLevel + "</tls>\n" + DOMAINS + "\n</tlsPolicy>";
        return TlsPolicyParser.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "t.xml");
    }
}
