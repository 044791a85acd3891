package org.jamestls.delivery.outcome;

/** Which mechanism decided how an MX is secured, for logs, attributes and metrics. */
public enum TlsMechanism {
    /** The operator's own tls/tlsVerify (nothing published applies). */
    POLICY("policy"),
    /** The receiving domain's MTA-STS policy (RFC 8461). */
    MTA_STS("mta-sts"),
    /** The MX host's DNSSEC-validated TLSA records (RFC 7672). */
    DANE("dane"),
    /**
     * The sender's REQUIRETLS (RFC 8689): the MX found securely (DNSSEC or MTA-STS), TLS verified by DANE or PKIX +
     * host name, REQUIRETLS offered and passed on; what verified it is in the published description.
     */
    REQUIRETLS("requiretls"),
    /** The mail's {@code TLS-Required: No} header (RFC 8689 section 5), as {@code tlsRequiredHeader} lets it. */
    TLS_REQUIRED_NO("tls-required-no"),
    /** The memory of a failed TLS handshake at this MX address ({@code tlsRememberBroken}): plaintext at once. */
    BROKEN_TLS("broken-tls");

    private final String label;

    TlsMechanism(String label) {
        this.label = label;
    }

    /** As in the log line ({@code mechanism=mta-sts}) and the {@code tls-mechanism} attribute. */
    public String label() {
        return label;
    }
}
