package org.jamestls.it.support;

import java.util.List;

/**
 * The receivers' server certificates made by {@link TestCertificates} (all RSA 2048, SHA256withRSA), one per
 * certificate-verification case. Each names its DNS names (SAN dNSName; the first is also the CN).
 */
public enum ServerCertKind {
    /**
     * Test CA, currently valid; names the three listeners that serve it (rx-valid, rx-clientcert, rx-tls12), the
     * DNSSEC-signed MX name that DANE-TA tests point at rx-valid, and the scripted REQUIRETLS receivers (which serve
     * it too, see {@link TlsServerContext#validReceiver}).
     */
    VALID(Issuer.TEST_CA, false,
        receiver(TestNetwork.RX_VALID), receiver(TestNetwork.RX_CLIENTCERT), receiver(TestNetwork.RX_TLS12),
        TestNetwork.DANE_TA_MX, receiver(TestNetwork.RX_REQUIRETLS), receiver(TestNetwork.RX_REQUIRETLS_2),
        receiver(TestNetwork.RX_NO_REQUIRETLS)),
    /** Test CA, right name, notAfter in the past. */
    EXPIRED(Issuer.TEST_CA, true, receiver(TestNetwork.RX_EXPIRED)),
    /** Test CA, currently valid, but for another host. */
    WRONGHOST(Issuer.TEST_CA, false, "not-the-mx.example"),
    /** Signed by its own key, right name. */
    SELFSIGNED(Issuer.SELF, false, receiver(TestNetwork.RX_SELFSIGNED)),
    /** Signed by the untrusted "Other CA", right name. */
    UNTRUSTED(Issuer.OTHER_CA, false, receiver(TestNetwork.RX_UNTRUSTED));

    /** Who signs a certificate. */
    public enum Issuer { TEST_CA, OTHER_CA, SELF }

    private final Issuer issuer;
    private final boolean expired;
    private final List<String> dnsNames;

    ServerCertKind(Issuer issuer, boolean expired, String... dnsNames) {
        this.issuer = issuer;
        this.expired = expired;
        this.dnsNames = List.of(dnsNames);
    }

    public Issuer issuer() {
        return issuer;
    }

    public boolean expired() {
        return expired;
    }

    public List<String> dnsNames() {
        return dnsNames;
    }

    /** File name stem under the certs directory, e.g. "server-valid". */
    public String fileStem() {
        return "server-" + name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String receiver(String listenerName) {
        return listenerName + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    }
}
