package org.jamestls.tlsrpt;

import java.util.Optional;

/**
 * The result types of RFC 8460 §4.3 as registered by IANA ("STARTTLS Validation Result Types"). Which of our
 * failures gives which type is decided by {@link ResultTypeClassifier}.
 */
public enum ResultType {
    /** §4.3.1: the MX did not offer STARTTLS (or refused the command). */
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    /** §4.3.1: the certificate does not name the MX host. */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    /** §4.3.1: the certificate has expired. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** §4.3.1: unknown or untrusted CA, broken chain and other PKIX failures. */
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    /** §4.3.1/§4.3.3: any other negotiation failure; the failure-reason-code says what. */
    VALIDATION_FAILURE("validation-failure"),
    /** §4.3.2.1: no TLSA record of the MX host's RRset is valid for the presented certificate. */
    TLSA_INVALID("tlsa-invalid"),
    /** §4.3.2.1: DNSSEC validation of the TLSA (or MX) records failed. */
    DNSSEC_INVALID("dnssec-invalid"),
    /** §4.3.2.1: DANE was required by the sender's own configuration but no TLSA records exist (never produced here). */
    DANE_REQUIRED("dane-required"),
    /** §4.3.2.2: the MTA-STS policy could not be fetched. */
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    /** §4.3.2.2: the MTA-STS policy was fetched but is not valid. */
    STS_POLICY_INVALID("sts-policy-invalid"),
    /** §4.3.2.2: the MTA-STS policy host failed PKIX validation. */
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String label;

    ResultType(String label) {
        this.label = label;
    }

    /** The string of the report's {@code result-type} field. */
    public String label() {
        return label;
    }

    public static Optional<ResultType> fromLabel(String label) {
        for (ResultType type : values()) {
            if (type.label.equals(label)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
