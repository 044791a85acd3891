package org.jamestls.delivery.outcome;

/** Which mechanism decided how an MX is secured, for logs, attributes and metrics. */
public enum TlsMechanism {
    /** The operator's own tls/tlsVerify (nothing published applies). */
    POLICY("policy"),
    /** The receiving domain's MTA-STS policy (RFC 8461). */
    MTA_STS("mta-sts"),
    /** The MX host's DNSSEC-validated TLSA records (RFC 7672). */
    DANE("dane");

    private final String label;

    TlsMechanism(String label) {
        this.label = label;
    }

    /** As in the log line ({@code mechanism=mta-sts}) and the {@code tls-mechanism} attribute. */
    public String label() {
        return label;
    }
}
