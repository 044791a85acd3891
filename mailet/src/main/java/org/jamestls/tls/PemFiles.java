package org.jamestls.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificates and private keys with BouncyCastle (which James ships): PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC
 * ({@code BEGIN EC PRIVATE KEY}) keys.
 */
final class PemFiles {
    private PemFiles() {
    }

    static List<X509Certificate> certificates(InputStream in, String source) throws TlsMaterialException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(reader(in))) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder) {
                    certificates.add(converter.getCertificate((X509CertificateHolder) item));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new TlsMaterialException(source + " is not a readable PEM certificate file: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsMaterialException(source + " contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    static PrivateKey privateKey(InputStream in, String source) throws TlsMaterialException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(reader(in))) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) item);
                }
                if (item instanceof PEMKeyPair) {
                    return converter.getKeyPair((PEMKeyPair) item).getPrivate();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsMaterialException(source + " is not a readable PEM private key: " + e.getMessage(), e);
        }
        throw new TlsMaterialException(source + " contains no unencrypted PEM private key "
            + "(BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    private static Reader reader(InputStream in) {
        return new InputStreamReader(in, StandardCharsets.US_ASCII);
    }
}
