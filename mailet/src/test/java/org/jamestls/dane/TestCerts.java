package org.jamestls.dane;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for the DANE and TLS report tests, made with BouncyCastle (EC P-256: fast to generate). */
public final class TestCerts {
    public static final Duration DAY = Duration.ofDays(1);
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key. */
    public static final class Issued {
        public final X509Certificate certificate;
        public final KeyPair keys;

        Issued(X509Certificate certificate, KeyPair keys) {
            this.certificate = certificate;
            this.keys = keys;
        }
    }

    private TestCerts() {
    }

    public static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA, valid from yesterday for 30 days. */
    public static Issued rootCa(String cn) {
        KeyPair keys = keys();
        return new Issued(build("CN=" + cn, keys, "CN=" + cn, keys, true, validFrom(), validTo()), keys);
    }

    public static Issued intermediate(String cn, Issued issuer) {
        KeyPair keys = keys();
        return new Issued(build("CN=" + cn, keys, issuer.certificate.getSubjectX500Principal().getName(), issuer.keys, true,
            validFrom(), validTo()), keys);
    }

    /** A server certificate with CN {@code cn} and the given SAN dNSNames (none: CN only). */
    public static Issued leaf(String cn, Issued issuer, String... dnsNames) {
        return leaf(cn, issuer, validFrom(), validTo(), dnsNames);
    }

    public static Issued expiredLeaf(String cn, Issued issuer, String... dnsNames) {
        return leaf(cn, issuer, Instant.now().minus(DAY.multipliedBy(30)), Instant.now().minus(DAY), dnsNames);
    }

    public static Issued leaf(String cn, Issued issuer, Instant from, Instant to, String... dnsNames) {
        KeyPair keys = keys();
        return new Issued(build("CN=" + cn, keys, issuer.certificate.getSubjectX500Principal().getName(), issuer.keys,
            false, from, to, dnsNames), keys);
    }

    /** A self-signed server certificate (not a CA). */
    public static Issued selfSignedLeaf(String cn, String... dnsNames) {
        KeyPair keys = keys();
        return new Issued(build("CN=" + cn, keys, "CN=" + cn, keys, false, validFrom(), validTo(), dnsNames), keys);
    }

    private static Instant validFrom() {
        return Instant.now().minus(DAY);
    }

    private static Instant validTo() {
        return Instant.now().plus(DAY.multipliedBy(30));
    }

    private static X509Certificate build(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca,
        Instant from, Instant to, String... dnsNames) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Principal(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to), new X500Principal(subject),
                subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
