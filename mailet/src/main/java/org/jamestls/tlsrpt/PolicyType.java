package org.jamestls.tlsrpt;

import java.util.Optional;

/** RFC 8460 §4.4 {@code policy-type}: the policy a session was judged against. */
public enum PolicyType {
    /** An MTA-STS policy (RFC 8461); the policy domain is the recipient domain. */
    STS("sts"),
    /** DANE TLSA records (RFC 7672); the policy domain is the TLSA base domain, i.e. the MX host. */
    TLSA("tlsa"),
    /** Neither: the operator's own policy applied; the policy domain is the recipient domain. */
    NO_POLICY_FOUND("no-policy-found");

    private final String label;

    PolicyType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Optional<PolicyType> fromLabel(String label) {
        for (PolicyType type : values()) {
            if (type.label.equals(label)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
