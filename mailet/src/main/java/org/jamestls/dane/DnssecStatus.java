package org.jamestls.dane;

/** How far a DNS answer can be trusted (RFC 4035 §4.3), plus "no usable answer at all". */
public enum DnssecStatus {
    /** Validated from a trust anchor down to the answer (or to the proof that nothing exists). */
    SECURE,
    /** Provably unsigned (no DS on the way down) or outside every trust anchor: plain DNS. */
    INSECURE,
    /** Signed, but the signatures or the chain of trust do not validate: a temporary failure. */
    BOGUS,
    /** No answer to judge: time-out, network error, SERVFAIL or REFUSED upstream. A temporary failure. */
    FAILED;
}
