package org.jamestls.it.support;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 certificates with BouncyCastle's builder (signatures by the JDK's providers): a CA (self-signed,
 * or the key signing its own leaf) and leaf certificates with any validity period, SAN dNSNames and purpose.
 */
final class CertificateAuthority {

    /** What a leaf certificate is for (extendedKeyUsage). */
    enum Purpose { SERVER, CLIENT }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A self-signed CA with {@code keys}, valid from {@code notBefore} to {@code notAfter}. */
    static CertificateAuthority create(String commonName, KeyPair keys, Instant notBefore, Instant notAfter) {
        X500Name name = new X500Name("CN=" + commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, keys, notBefore, notAfter)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(name, keys, sign(b, keys));
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create CA " + commonName, e);
        }
    }

    /** The CA written earlier as {@code certPem} (its certificate) and {@code keyPem} (PKCS#8 key), to issue more leaves. */
    static CertificateAuthority load(java.nio.file.Path certPem, java.nio.file.Path keyPem) {
        X509Certificate certificate = PemFiles.readCertificate(certPem);
        KeyPair keys = new KeyPair(certificate.getPublicKey(), PemFiles.readPkcs8Key(keyPem));
        return new CertificateAuthority(
            X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), keys, certificate);
    }

    /** A CA-less "authority" whose only job is signing the leaf for its own key: a self-signed leaf. */
    static X509Certificate selfSigned(String commonName, List<String> dnsNames, KeyPair keys, Instant notBefore,
                                      Instant notAfter, Purpose purpose) {
        X500Name name = new X500Name("CN=" + commonName);
        return new CertificateAuthority(name, keys, null).issue(commonName, dnsNames, keys.getPublic(), notBefore,
            notAfter, purpose);
    }

    X509Certificate certificate() {
        return certificate;
    }

    KeyPair keys() {
        return keys;
    }

    /** A leaf certificate for {@code subjectKey}, CN = {@code commonName}, SAN = {@code dnsNames}. */
    X509Certificate issue(String commonName, List<String> dnsNames, java.security.PublicKey subjectKey,
                          Instant notBefore, Instant notAfter, Purpose purpose) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            KeyPair subject = new KeyPair(subjectKey, null);
            X509v3CertificateBuilder b = builder(name, new X500Name("CN=" + commonName), subject, notBefore, notAfter)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    purpose == Purpose.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                    .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            if (certificate != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(certificate));
            }
            return sign(b, keys);
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot issue certificate for " + commonName, e);
        }
    }

    /** {@code count} RSA 2048 key pairs, generated in parallel (key generation is most of the cost). */
    static Iterator<KeyPair> rsaKeyPairs(int count) {
        return IntStream.range(0, count).parallel().mapToObj(i -> rsaKeyPair()).collect(Collectors.toList())
            .iterator();
    }

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ecP256KeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys,
                                                    Instant notBefore, Instant notAfter) {
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, RANDOM).add(BigInteger.ONE),
            Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
        try {
            String algorithm = signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
