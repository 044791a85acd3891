package org.jamestls.it.support;

/** How a Postfix receiver listener treats STARTTLS. */
public enum TlsMode {
    /** Offers STARTTLS (self-signed certificate made by openssl at test start); handshake works. */
    STARTTLS,
    /** Does not offer STARTTLS. */
    NO_STARTTLS,
    /**
     * Offers STARTTLS in EHLO, but the handshake always fails for a JDK 17 client: the listener only
     * allows TLSv1.0, which the JDK disables (jdk.tls.disabledAlgorithms) and OpenSSL 3 cannot sign for.
     */
    BROKEN_TLS
}
