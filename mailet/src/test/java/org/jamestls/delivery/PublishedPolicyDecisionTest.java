package org.jamestls.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;

import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.ScriptedValidatingResolver;
import org.jamestls.delivery.MxSecurity.Mechanism;
import org.jamestls.mtasts.FakeDns;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsPolicyCache;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * Which mechanism secures each MX, over scripted DNSSEC answers and MTA-STS policies: usable DANE > MTA-STS
 * enforce > the operator's policy; published policies only raise the level; bogus DNSSEC and MX outside an
 * enforced policy are 4.7.5 refusals; the per-scope switches turn each mechanism off.
 */
class PublishedPolicyDecisionTest {
    private static final String HASH = "ab".repeat(32);
    private static final String POLICY = String.join("\n",
        "<tlsPolicy>",
        "  <dane>on</dane>",
        "  <domain name='nodane.test'><dane>off</dane></domain>",
        "  <domain name='nosts.test'><mtaSts>off</mtaSts></domain>",
        "  <domain name='req.test'><tls>required</tls><dane>off</dane></domain>",
        "</tlsPolicy>");

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
        .bogus("bogus.test", Type.MX, "Did not match a DS to a DNSKEY.")
        .unreachable("down.test", Type.MX);
    private final FakeDns dns = new FakeDns()
        .txt("_mta-sts.sts.test", "v=STSv1; id=1").txt("_mta-sts.nosts.test", "v=STSv1; id=1")
        .txt("_mta-sts.dane.test", "v=STSv1; id=1").txt("_mta-sts.testing.test", "v=STSv1; id=1");

    private PublishedPolicies published() {
        MtaStsPolicySource mtaSts = new MtaStsPolicySource(dns, domain -> {
            if (domain.equals("testing.test")) {
                return "version: STSv1\nmode: testing\nmx: mx.sts.test\nmax_age: 86400\n";
            }
            if (domain.equals("dane.test") || domain.endsWith("sts.test")) {
                return "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n";
            }
            throw new MtaStsFetchException("HTTP 404");
        }, new MtaStsPolicyCache(cacheDir), Clock.systemUTC());
        return new PublishedPolicies(Optional.of(mtaSts),
            Optional.of(new DaneLookup(ScriptedValidatingResolver.resolverOver(dnssec))),
            new TlsClientContexts(url -> { throw new java.io.IOException("no files in this test"); }), 25);
    }

    private DomainPublishedPolicy forDomain(String domain) throws Exception {
        TlsPolicy policy = TlsPolicyParser.parse(new ByteArrayInputStream(POLICY.getBytes(StandardCharsets.UTF_8)), "t.xml");
        return published().forDomain(domain, policy.resolve(domain, Optional.empty()));
    }

    private static MxTarget mx(String host) throws Exception {
        return new MxTarget(host, InetAddress.getByName("192.0.2.9"), 25);
    }

    /** domain, MX host, deciding mechanism, effective level under operator 'no', refused? */
    static Stream<Arguments> decisions() {
        return Stream.of(
            Arguments.of("dane.test", "mx.dane.test", Mechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("dane.test", "mx.forged.test", Mechanism.DANE, TlsLevel.REQUIRED, true),
            Arguments.of("nodane.test", "mx.dane.test", Mechanism.POLICY, TlsLevel.NO, false),
            Arguments.of("pkix.test", "mx.pkix.test", Mechanism.DANE, TlsLevel.REQUIRED, false),
            Arguments.of("sts.test", "mx.sts.test", Mechanism.MTA_STS, TlsLevel.REQUIRED, false),
            Arguments.of("sts.test", "mx.elsewhere.test", Mechanism.MTA_STS, TlsLevel.REQUIRED, true),
            Arguments.of("nosts.test", "mx.elsewhere.test", Mechanism.POLICY, TlsLevel.NO, false),
            Arguments.of("testing.test", "mx.elsewhere.test", Mechanism.MTA_STS, TlsLevel.NO, false),
            Arguments.of("plain.test", "mx.plain.test", Mechanism.POLICY, TlsLevel.NO, false));
    }

    @ParameterizedTest(name = "{0} via {1}: {2}, tls {3}, refused={4}")
    @MethodSource("decisions")
    void mechanismPerMx(String domain, String mxHost, Mechanism mechanism, TlsLevel level, boolean refused)
            throws Exception {
        DomainPublishedPolicy published = forDomain(domain);
        MxSecurity security = published.forMx(mx(mxHost));

        assertThat(published.domainFailure()).isEmpty();
        assertThat(security.mechanism()).isEqualTo(mechanism);
        assertThat(security.effectiveLevel(TlsLevel.NO)).isEqualTo(level);
        assertThat(security.refusal().isPresent()).isEqualTo(refused);
        security.refusal().ifPresent(failure -> {
            assertThat(failure.enhancedStatus()).isEqualTo("4.7.5");
            assertThat(failure.kind()).isEqualTo(FailureKind.PUBLISHED_POLICY);
            assertThat(failure.detail()).containsAnyOf("not an MX allowed by the policy of " + domain,
                "not in the DNSSEC-validated MX RRset of " + domain);
        });
        assertThat(security.allowsPlaintextFallback()).isEqualTo(level == TlsLevel.NO);
    }

    @Test
    void usableDaneWinsOverAnEnforcedMtaStsPolicyThatDoesNotListTheMx() throws Exception {
        MxSecurity security = forDomain("dane.test").forMx(mx("mx.dane.test"));
        assertThat(security.mechanism()).isEqualTo(Mechanism.DANE);
        assertThat(security.describe()).contains("3 1 1 " + HASH);
    }

    @Test
    void aPublishedPolicyNeverLowersTheOperatorsRequired() throws Exception {
        assertThat(forDomain("req.test").forMx(mx("mx.req.test")).effectiveLevel(TlsLevel.REQUIRED))
            .isEqualTo(TlsLevel.REQUIRED);
        assertThat(forDomain("testing.test").forMx(mx("mx.sts.test")).effectiveLevel(TlsLevel.REQUIRED))
            .isEqualTo(TlsLevel.REQUIRED);
    }

    @Test
    void bogusOrFailedMxLookupsDeferTheWholeDomain() throws Exception {
        assertThat(forDomain("bogus.test").domainFailure()).hasValueSatisfying(failure -> {
            assertThat(failure.enhancedStatus()).isEqualTo("4.7.5");
            assertThat(failure.kind().isTls()).isTrue();
            assertThat(failure.detail()).contains("DNSSEC lookup of the MX of bogus.test failed", "BOGUS");
        });
        assertThat(forDomain("down.test").domainFailure()).isPresent();
    }
}
