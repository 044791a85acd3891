package org.jamestls.mtasts;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jamestls.tls.TrustContexts;

/** A throw-away CA (BouncyCastle, EC P-256 keys for speed) issuing server certificates for HTTPS tests. */
public final class TestAuthority {
    private static final char[] PASSWORD = "test".toCharArray();

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestAuthority(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    public static TestAuthority create(String commonName) throws Exception {
        X500Name name = new X500Name("CN=" + commonName);
        KeyPair keys = ecKeys();
        X509v3CertificateBuilder builder = builder(name, name, keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new TestAuthority(name, keys, sign(builder, keys));
    }

    /** A server context presenting a leaf for {@code dnsNames} and this CA. */
    public SSLContext serverContext(String... dnsNames) throws Exception {
        KeyPair leafKeys = ecKeys();
        GeneralName[] sans = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            sans[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        X509v3CertificateBuilder builder = builder(name, new X500Name("CN=" + dnsNames[0]), leafKeys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        X509Certificate leaf = sign(builder, keys);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", leafKeys.getPrivate(), PASSWORD, new X509Certificate[] {leaf, certificate});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    public String pem() throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    }

    /** A client context trusting only this CA, built the way production builds one from tlsCa. */
    public SSLContext trustingContext() throws Exception {
        return TrustContexts.fromPemCa(new ByteArrayInputStream(pem().getBytes(StandardCharsets.US_ASCII)), "test CA");
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
            subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }
}
