package org.jamestls.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

import org.jamestls.it.support.CertificateAuthority.Purpose;
import org.jamestls.it.support.PemFiles.KeyFormat;

/**
 * The PEM certificates and keys of the TLS verification tests, generated afresh (BouncyCastle, new keys) once
 * per run into one directory ({@code target/it-work/certs}):
 * <pre>
 * ca.pem, ca-key.pem                  "JamesTls Test CA" (the CA the tests trust)
 * other-ca.pem, other-ca-key.pem      "Other CA" (trusted by nobody)
 * server-KIND.pem                     leaf only, KIND = valid|expired|wronghost|selfsigned|untrusted
 * server-KIND-chain.pem               leaf + issuing CA (self-signed: leaf only): Postfix smtpd_tls_cert_file
 * server-KIND-key.pem                 PKCS#8
 * client.pem, client-chain.pem        RSA client certificate CN/SAN relay.example.org by the test CA (+ CA)
 * client-key-pkcs8.pem                its key, "BEGIN PRIVATE KEY"
 * client-key-pkcs1.pem                the same key, "BEGIN RSA PRIVATE KEY"
 * ec-client.pem                       EC P-256 client certificate relay.example.org by the test CA
 * ec-client-key-sec1.pem              its key, "BEGIN EC PRIVATE KEY"
 * </pre>
 * Validity: CAs and valid leaves from one day ago for 30 days; the expired leaf from 30 days ago to one day ago.
 * Files are written with the default umask by the test user (root): readable by Postfix (which loads them as
 * root) and by James (same user).
 */
public final class TestCertificates {

    public static final String TEST_CA_CN = "JamesTls Test CA";
    public static final String OTHER_CA_CN = "Other CA";
    /** CN and SAN dNSName of both client certificates (James's HELO name in the samples). */
    public static final String CLIENT_CN = "relay.example.org";

    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration LIFETIME = Duration.ofDays(30);

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** Deletes {@code dir} and writes every file listed above into it. */
    public static TestCertificates generate(Path dir) {
        TestCertificates files = new TestCertificates(dir);
        files.write();
        return files;
    }

    private void write() {
        Processes.deleteRecursively(dir);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Instant now = Instant.now();
        Instant from = now.minus(DAY);
        Instant to = now.plus(LIFETIME);
        // Two CAs, one key per server certificate, the RSA client certificate.
        Iterator<KeyPair> rsaKeys = CertificateAuthority.rsaKeyPairs(2 + ServerCertKind.values().length + 1);
        CertificateAuthority ca = authority(TEST_CA_CN, rsaKeys.next(), caPem(), caKeyPem(), from, to);
        CertificateAuthority other = authority(OTHER_CA_CN, rsaKeys.next(), otherCaPem(), otherCaKeyPem(), from, to);

        for (ServerCertKind kind : ServerCertKind.values()) {
            Instant notBefore = kind.expired() ? now.minus(LIFETIME) : from;
            Instant notAfter = kind.expired() ? now.minus(DAY) : to;
            String cn = kind.dnsNames().get(0);
            KeyPair keys = rsaKeys.next();
            X509Certificate leaf;
            X509Certificate[] chain;
            switch (kind.issuer()) {
                case SELF:
                    leaf = CertificateAuthority.selfSigned(cn, kind.dnsNames(), keys, notBefore, notAfter,
                        Purpose.SERVER);
                    chain = new X509Certificate[] {leaf};
                    break;
                case OTHER_CA:
                    leaf = other.issue(cn, kind.dnsNames(), keys.getPublic(), notBefore, notAfter, Purpose.SERVER);
                    chain = new X509Certificate[] {leaf, other.certificate()};
                    break;
                default:
                    leaf = ca.issue(cn, kind.dnsNames(), keys.getPublic(), notBefore, notAfter, Purpose.SERVER);
                    chain = new X509Certificate[] {leaf, ca.certificate()};
            }
            PemFiles.writeCertificates(serverCert(kind), leaf);
            PemFiles.writeCertificates(serverChain(kind), chain);
            PemFiles.writeKey(serverKey(kind), keys, KeyFormat.PKCS8);
        }

        KeyPair client = rsaKeys.next();
        X509Certificate clientCert = ca.issue(CLIENT_CN, List.of(CLIENT_CN), client.getPublic(), from, to,
            Purpose.CLIENT);
        PemFiles.writeCertificates(clientCertPem(), clientCert);
        PemFiles.writeCertificates(clientChainPem(), clientCert, ca.certificate());
        PemFiles.writeKey(clientKeyPkcs8Pem(), client, KeyFormat.PKCS8);
        PemFiles.writeKey(clientKeyPkcs1Pem(), client, KeyFormat.PKCS1);

        KeyPair ecClient = CertificateAuthority.ecP256KeyPair();
        PemFiles.writeCertificates(ecClientCertPem(),
            ca.issue(CLIENT_CN, List.of(CLIENT_CN), ecClient.getPublic(), from, to, Purpose.CLIENT));
        PemFiles.writeKey(ecClientKeySec1Pem(), ecClient, KeyFormat.SEC1);
    }

    private static CertificateAuthority authority(String cn, KeyPair keys, Path certFile, Path keyFile, Instant from,
                                                  Instant to) {
        CertificateAuthority ca = CertificateAuthority.create(cn, keys, from, to);
        PemFiles.writeCertificates(certFile, ca.certificate());
        PemFiles.writeKey(keyFile, ca.keys(), KeyFormat.PKCS8);
        return ca;
    }

    /** The first certificate of a PEM file (e.g. {@link #serverCert}, {@link #caPem}), for TLSA records. */
    public static java.security.cert.X509Certificate certificate(Path pem) {
        try {
            return (java.security.cert.X509Certificate) TlsClient.certificates(pem).get(0);
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("Cannot read " + pem, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** "JamesTls Test CA" certificate: the tlsCa bundle for tlsVerify=ca|host. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path caKeyPem() {
        return dir.resolve("ca-key.pem");
    }

    /** "Other CA" certificate (signs {@link ServerCertKind#UNTRUSTED}). */
    public Path otherCaPem() {
        return dir.resolve("other-ca.pem");
    }

    public Path otherCaKeyPem() {
        return dir.resolve("other-ca-key.pem");
    }

    /** The leaf certificate alone. */
    public Path serverCert(ServerCertKind kind) {
        return dir.resolve(kind.fileStem() + ".pem");
    }

    /** Leaf, then its issuing CA (leaf only when self-signed). */
    public Path serverChain(ServerCertKind kind) {
        return dir.resolve(kind.fileStem() + "-chain.pem");
    }

    /** PKCS#8 RSA key of {@link #serverCert}. */
    public Path serverKey(ServerCertKind kind) {
        return dir.resolve(kind.fileStem() + "-key.pem");
    }

    /** RSA client certificate, CN relay.example.org, issued by the test CA. */
    public Path clientCertPem() {
        return dir.resolve("client.pem");
    }

    /** {@link #clientCertPem()} followed by the test CA. */
    public Path clientChainPem() {
        return dir.resolve("client-chain.pem");
    }

    /** Key of {@link #clientCertPem()}, "BEGIN PRIVATE KEY". */
    public Path clientKeyPkcs8Pem() {
        return dir.resolve("client-key-pkcs8.pem");
    }

    /** The same key, "BEGIN RSA PRIVATE KEY". */
    public Path clientKeyPkcs1Pem() {
        return dir.resolve("client-key-pkcs1.pem");
    }

    /** EC P-256 client certificate, CN relay.example.org, issued by the test CA. */
    public Path ecClientCertPem() {
        return dir.resolve("ec-client.pem");
    }

    /** Key of {@link #ecClientCertPem()}, "BEGIN EC PRIVATE KEY". */
    public Path ecClientKeySec1Pem() {
        return dir.resolve("ec-client-key-sec1.pem");
    }
}
