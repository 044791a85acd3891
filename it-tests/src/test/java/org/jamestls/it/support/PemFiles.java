package org.jamestls.it.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes certificates and private keys as PEM files, keys in the encoding asked for; reads back what it wrote. */
final class PemFiles {

    /** PEM private key encodings. */
    enum KeyFormat {
        /** "BEGIN PRIVATE KEY" (any algorithm). */
        PKCS8,
        /** "BEGIN RSA PRIVATE KEY" (RSA only). */
        PKCS1,
        /** "BEGIN EC PRIVATE KEY" with the named curve and the public key, like openssl ecparam -genkey (EC only). */
        SEC1
    }

    private PemFiles() {
    }

    /** The certificates, in order (leaf first for a chain file). */
    static Path writeCertificates(Path file, X509Certificate... certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate c : certificates) {
                pem.writeObject(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, out.toString());
    }

    static Path writeKey(Path file, KeyPair keys, KeyFormat format) {
        PrivateKey key = keys.getPrivate();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            switch (format) {
                case PKCS8:
                    pem.writeObject(new JcaPKCS8Generator(key, null));
                    break;
                case PKCS1:
                    require(key, "RSA", format);
                    pem.writeObject(key); // BouncyCastle's default for an RSA key is the PKCS#1 structure
                    break;
                case SEC1:
                    require(key, "EC", format);
                    pem.writeObject(new PemObject("EC PRIVATE KEY", sec1((ECPrivateKey) key, keys.getPublic())));
                    break;
                default:
                    throw new IllegalArgumentException(format.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, out.toString());
    }

    /**
     * RFC 5915 ECPrivateKey with the curve OID in [0]. (The JDK's PKCS#8 encoding carries the curve only in the
     * outer AlgorithmIdentifier, so the bare inner structure, which BouncyCastle's PEM writer would emit, has no
     * parameters and OpenSSL cannot load it.)
     */
    private static byte[] sec1(ECPrivateKey key, PublicKey publicKey) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        X962Parameters params = X962Parameters.getInstance(info.getPrivateKeyAlgorithm().getParameters());
        DERBitString publicBits = new DERBitString(
            SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData().getOctets());
        return new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(),
            publicBits, params).getEncoded();
    }

    private static void require(PrivateKey key, String algorithm, KeyFormat format) {
        if (!key.getAlgorithm().equals(algorithm)) {
            throw new IllegalArgumentException(format + " needs an " + algorithm + " key, not " + key.getAlgorithm());
        }
    }

    /** The first certificate of a PEM file. */
    static X509Certificate readCertificate(Path file) {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder) {
                    return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) item);
                }
            }
            throw new IllegalStateException("No certificate in " + file);
        } catch (IOException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("Cannot read " + file, e);
        }
    }

    /** A PKCS#8 private key ("BEGIN PRIVATE KEY", as {@link #writeKey} writes with {@link KeyFormat#PKCS8}). */
    static PrivateKey readPkcs8Key(Path file) {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            Object item = parser.readObject();
            if (!(item instanceof PrivateKeyInfo)) {
                throw new IllegalStateException("No PKCS#8 private key in " + file);
            }
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) item);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file, e);
        }
    }

    private static Path write(Path file, String content) {
        try {
            Files.write(file, content.getBytes(StandardCharsets.US_ASCII));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
