package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.DnssecResolver;
import org.jamestls.dane.DnssecResolverCheck;
import org.jamestls.dane.MxHost;
import org.jamestls.dane.SecureMx;
import org.jamestls.dane.TlsaRecord;
import org.jamestls.dane.TrustAnchors;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.KnotDns;
import org.jamestls.it.support.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DANE lookups against a real DNSSEC-signed zone: a private Knot DNS on 127.0.0.48:53 signing on the fly
 * (see {@link KnotDns}), with the trust anchor exported from it at start, queried directly by dnsjava's
 * ValidatingResolver. Needs none of the shared James/Postfix/dnsmasq environment; run alone with
 * {@code mvn -B -pl mailet,it-tests verify -Dit.test=KnotDnsIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class KnotDnsIT {
    private static final String HARNESS_ADDRESS = "127.0.0.48";
    private static final String MX = "mx.dane.test";
    private static KnotDns knot;
    private static X509Certificate mxCertificate;
    private static DaneLookup dane;
    private static DnssecResolver resolver;

    @BeforeAll
    static void startKnot() throws Exception {
        mxCertificate = selfSigned(MX);
        // its own directory and address: the shared environment's Knot (PublishedPoliciesIT) may be up on 127.0.0.40
        knot = new KnotDns(ItPaths.workDir().resolve("knot-harness"), HARNESS_ADDRESS, KnotDns.DEFAULT_PORT).start();
        knot.mx("dane.test", MX, 10).a(MX, "127.0.0.41")
            .tlsaFor(MX, 25, 3, 1, 1, mxCertificate)
            .mx("notlsa.dane.test", "mx.notlsa.dane.test", 10).a("mx.notlsa.dane.test", "127.0.0.42")
            .mx("pkix.dane.test", "mx.pkix.dane.test", 10).a("mx.pkix.dane.test", "127.0.0.43")
            .tlsaFor("mx.pkix.dane.test", 25, 1, 1, 1, mxCertificate)
            .mx("insecure.dane.test", "mx.insecure.dane.test", 10).a("mx.insecure.dane.test", "127.0.0.44")
            .tlsaFor("mx.insecure.dane.test", 25, 3, 1, 1, mxCertificate)
            .mx("bogus.dane.test", "mx.bogus.dane.test", 10).a("mx.bogus.dane.test", "127.0.0.45")
            .tlsaFor("mx.bogus.dane.test", 25, 3, 1, 1, mxCertificate)
            .mx("unsigned.test", "mx.unsigned.test", 10).a("mx.unsigned.test", "127.0.0.46")
            .apply();
        try (InputStream in = Files.newInputStream(knot.trustAnchorFile())) {
            resolver = new DnssecResolver(DnssecResolver.parseAddress(knot.resolverSpec()),
                TrustAnchors.parse(in, knot.trustAnchorFile().toString()), Duration.ofSeconds(2));
        }
        dane = new DaneLookup(resolver);
    }

    @AfterAll
    static void stopKnot() {
        if (knot != null) {
            knot.close();
        }
    }

    @Test
    void trustAnchorIsTheSignedZonesDs() {
        assertThat(knot.trustAnchorText()).contains("dane.test. DS ").contains(" 13 2 ");
        assertThat(resolver.trustAnchors().zones()).hasToString("[dane.test.]");
    }

    @Test
    void secureMxAndSecureTlsaAreUsable() throws Exception {
        SecureMx mx = dane.mx("dane.test");
        assertThat(mx.kind()).as(mx.describe()).isEqualTo(SecureMx.Kind.SECURE);
        assertThat(mx.hosts()).containsExactly(new MxHost(10, MX));

        DaneStatus status = dane.forMx(MX, 25);
        assertThat(status.kind()).as(status.describe()).isEqualTo(DaneStatus.Kind.USABLE);
        assertThat(status.records()).containsExactly(TlsaRecord.forCertificate(3, 1, 1, mxCertificate));
        status.trustManager("dane.test").checkServerTrusted(new X509Certificate[] {mxCertificate}, "ECDHE_ECDSA");
        X509Certificate impostor = selfSigned(MX);
        assertThatThrownBy(() -> status.trustManager().checkServerTrusted(new X509Certificate[] {impostor}, "ECDHE_ECDSA"))
            .isInstanceOf(CertificateException.class).hasMessageStartingWith("no TLSA record matches");
    }

    @Test
    void secureNameWithoutTlsaIsNone() {
        assertThat(dane.mx("notlsa.dane.test").isSecure()).isTrue();
        DaneStatus status = dane.forMx("mx.notlsa.dane.test", 25);
        assertThat(status.kind()).as(status.describe()).isEqualTo(DaneStatus.Kind.NONE);
        assertThat(dane.forMx(MX, 2525).kind()).isEqualTo(DaneStatus.Kind.NONE);
    }

    @Test
    void secureTlsaWithOnlyPkixUsagesMeansTlsWithoutAuthentication() {
        DaneStatus status = dane.forMx("mx.pkix.dane.test", 25);
        assertThat(status.kind()).as(status.describe()).isEqualTo(DaneStatus.Kind.SECURE_NO_USABLE);
        assertThat(status.requiresTls()).isTrue();
    }

    @Test
    void unsignedChildAndUnsignedZoneAreInsecure() {
        assertThat(dane.mx("insecure.dane.test").kind()).isEqualTo(SecureMx.Kind.INSECURE);
        assertThat(dane.forMx("mx.insecure.dane.test", 25).kind()).isEqualTo(DaneStatus.Kind.INSECURE);
        assertThat(resolver.tlsa("mx.insecure.dane.test", 25).records()).isNotEmpty(); // there, but not trustworthy
        assertThat(dane.mx("unsigned.test").kind()).isEqualTo(SecureMx.Kind.INSECURE);
        assertThat(dane.forMx("mx.unsigned.test", 25).kind()).isEqualTo(DaneStatus.Kind.INSECURE);
    }

    @Test
    void childWithAMismatchedDsIsBogus() {
        SecureMx mx = dane.mx("bogus.dane.test");
        assertThat(mx.kind()).isEqualTo(SecureMx.Kind.BOGUS);
        assertThat(mx.reason()).hasValueSatisfying(r -> assertThat(r).contains("bogus.dane.test").contains("DS"));
        DaneStatus status = dane.forMx("mx.bogus.dane.test", 25);
        assertThat(status.kind()).as(status.describe()).isEqualTo(DaneStatus.Kind.BOGUS);
        assertThat(status.isTemporaryFailure()).isTrue();
    }

    @Test
    void nonexistentNamesAreSecurelyDenied() {
        assertThat(resolver.mx("nothing-here.dane.test").isSecureDenial()).isTrue();
        assertThat(dane.forMx("nothing-here.dane.test", 25).kind()).isEqualTo(DaneStatus.Kind.NONE);
    }

    @Test
    void changedRecordsAreServedSignedAfterApply() throws Exception {
        String host = "mx.rotate.dane.test";
        X509Certificate next = selfSigned(host);
        knot.a(host, "127.0.0.47").tlsaFor(host, 25, 3, 0, 2, next).apply();
        assertThat(dane.forMx(host, 25).records()).containsExactly(TlsaRecord.forCertificate(3, 0, 2, next));
        knot.remove("_25._tcp." + host).tlsaFor(host, 25, 2, 1, 1, next).apply();
        // the resolver reuses the old answer for its TTL (1 s in these zones), then asks again
        TlsaRecord expected = TlsaRecord.forCertificate(2, 1, 1, next);
        Processes.await(Duration.ofSeconds(10), () -> dane.forMx(host, 25).records().equals(List.of(expected)));
        assertThat(dane.forMx(host, 25).records()).containsExactly(expected);
    }

    @Test
    void resolverCheckPassesAgainstKnot() {
        DnssecResolverCheck.Result result = new DnssecResolverCheck(resolver).run();
        assertThat(result.isOk()).as(result.message()).isTrue();
        assertThat(result.message()).startsWith("DNSSEC resolver " + HARNESS_ADDRESS + ":53 returns validated DNSSEC data for dane.test.");
    }

    @Test
    void resolverCheckWarnsWhenNothingAnswers() {
        DnssecResolver silent = new DnssecResolver(new InetSocketAddress("127.0.0.49", 53), resolver.trustAnchors(),
            Duration.ofMillis(500));
        DnssecResolverCheck.Result result = new DnssecResolverCheck(silent).run();
        assertThat(result.isOk()).isFalse();
        assertThat(result.message()).startsWith("DNSSEC resolver 127.0.0.49:53 does not return validated DNSSEC data")
            .contains("DNSKEY dane.test. is FAILED");
    }

    @Test
    void resolverCheckWarnsWhenTheResolverCannotServeTheAnchorZone() {
        // Knot is authoritative for dane.test only: with the built-in root anchor it refuses the root's DNSKEY
        DnssecResolver rootAnchored = new DnssecResolver(knot.socketAddress(), TrustAnchors.root(), Duration.ofSeconds(1));
        DnssecResolverCheck.Result result = new DnssecResolverCheck(rootAnchored).run();
        assertThat(result.isOk()).isFalse();
        assertThat(result.message()).contains(HARNESS_ADDRESS + ":53").contains("DNSKEY . is FAILED").contains("REFUSED");
    }

    private static X509Certificate selfSigned(String name) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Principal subject = new X500Principal("CN=" + name);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(System.nanoTime()),
            Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plus(Duration.ofDays(30))), subject,
            keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}
