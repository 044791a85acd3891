package org.jamestls.dane;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import org.xbill.DNS.TLSARecord;

/** One TLSA record (RFC 6698 §2.1): usage, selector, matching type and association data. Immutable. */
public final class TlsaRecord {
    public static final int PKIX_TA = 0;
    public static final int PKIX_EE = 1;
    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    public static final int SELECTOR_CERT = 0;
    public static final int SELECTOR_SPKI = 1;
    public static final int MATCH_FULL = 0;
    public static final int MATCH_SHA256 = 1;
    public static final int MATCH_SHA512 = 2;

    private final int usage;
    private final int selector;
    private final int matchingType;
    private final byte[] data;

    public TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
        this.usage = requireByte(usage, "usage");
        this.selector = requireByte(selector, "selector");
        this.matchingType = requireByte(matchingType, "matching type");
        this.data = data.clone();
    }

    public static TlsaRecord of(TLSARecord r) {
        return new TlsaRecord(r.getCertificateUsage(), r.getSelector(), r.getMatchingType(), r.getCertificateAssociationData());
    }

    /** Presentation format without owner: {@code "3 1 1 9f86d0..."} (whitespace in the hex is allowed). */
    public static TlsaRecord parse(String text) {
        String[] parts = text.trim().split("\\s+", 4);
        if (parts.length != 4) {
            throw new IllegalArgumentException("TLSA record needs usage, selector, matching type and data: " + text);
        }
        try {
            return new TlsaRecord(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
                Hex.parse(parts[3].replaceAll("\\s", "")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid TLSA record '" + text + "': " + e.getMessage(), e);
        }
    }

    /** The record that matches {@code certificate} with these parameters (to publish one, or in tests). */
    public static TlsaRecord forCertificate(int usage, int selector, int matchingType, X509Certificate certificate) {
        return new TlsaRecord(usage, selector, matchingType, associationData(selector, matchingType, certificate));
    }

    /**
     * RFC 7672 §3.1: only DANE-TA(2) and DANE-EE(3) serve SMTP (PKIX usages need a CA list SMTP does not
     * have); selectors and matching types beyond those defined by RFC 6698 are unknown, hence unusable.
     */
    public boolean isUsableForSmtp() {
        return (usage == DANE_TA || usage == DANE_EE)
            && (selector == SELECTOR_CERT || selector == SELECTOR_SPKI)
            && (matchingType == MATCH_FULL || matchingType == MATCH_SHA256 || matchingType == MATCH_SHA512);
    }

    /** Whether the certificate, seen through this record's selector and matching type, is the data. */
    public boolean matches(X509Certificate certificate) {
        if (!isUsableForSmtp()) {
            return false;
        }
        return MessageDigest.isEqual(data, associationData(selector, matchingType, certificate));
    }

    static byte[] associationData(int selector, int matchingType, X509Certificate certificate) {
        byte[] selected;
        try {
            selected = selector == SELECTOR_CERT ? certificate.getEncoded() : certificate.getPublicKey().getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
        switch (matchingType) {
            case MATCH_FULL:
                return selected;
            case MATCH_SHA256:
                return digest("SHA-256", selected);
            case MATCH_SHA512:
                return digest("SHA-512", selected);
            default:
                throw new IllegalArgumentException("unknown TLSA matching type " + matchingType);
        }
    }

    static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }

    private static int requireByte(int value, String what) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("TLSA " + what + " must be 0-255, got " + value);
        }
        return value;
    }

    public int usage() {
        return usage;
    }

    public int selector() {
        return selector;
    }

    public int matchingType() {
        return matchingType;
    }

    public byte[] data() {
        return data.clone();
    }

    /**
     * RFC 6698 §2.2 presentation of the RDATA with the whole association data in hex, {@code "3 1 1 9f86d081..."}:
     * the form RFC 8460 §4.5 wants in a TLS report's policy-string.
     */
    public String presentation() {
        return usage + " " + selector + " " + matchingType + " " + Hex.format(data);
    }

    /** {@code "2 0 1 9f86d081..."}: full data for hashes, the first 32 hex digits of full certificates or keys. */
    @Override
    public String toString() {
        String hex = Hex.format(data);
        if (matchingType == MATCH_FULL && hex.length() > 32) {
            hex = hex.substring(0, 32) + "...(" + data.length + " bytes)";
        }
        return usage + " " + selector + " " + matchingType + " " + hex;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TlsaRecord)) {
            return false;
        }
        TlsaRecord r = (TlsaRecord) o;
        return r.usage == usage && r.selector == selector && r.matchingType == matchingType && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return ((usage * 31 + selector) * 31 + matchingType) * 31 + Arrays.hashCode(data);
    }
}
