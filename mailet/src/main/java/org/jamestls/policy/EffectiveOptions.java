package org.jamestls.policy;

import java.util.Objects;

/**
 * The options one delivery runs with: the policy's resolution for its domain and binding, with the mailet
 * parameter's default merged in where no scope sets {@code tlsIfAvailableFallback}. The one place that merges
 * them. Immutable; from {@link EffectivePolicy#resolve}.
 */
public final class EffectiveOptions {
    /** Where the fallback default comes from, as WebAdmin's effective route names it. */
    public static final String FALLBACK_DEFAULT_SOURCE = "mailet parameter tlsIfAvailableFallback";

    private final ResolvedTlsPolicy policy;
    private final boolean ifAvailableFallbackDefault;

    EffectiveOptions(ResolvedTlsPolicy policy, boolean ifAvailableFallbackDefault) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ifAvailableFallbackDefault = ifAvailableFallbackDefault;
    }

    /** For tests and callers that resolved the policy themselves. */
    public static EffectiveOptions of(ResolvedTlsPolicy policy, boolean ifAvailableFallbackDefault) {
        return new EffectiveOptions(policy, ifAvailableFallbackDefault);
    }

    /** Every option as the policy file decides it, with its deciding scope. */
    public ResolvedTlsPolicy policy() {
        return policy;
    }

    /** Under ifavailable, whether a failed handshake is retried at once in plaintext: the scope's value, else the mailet's. */
    public boolean tlsIfAvailableFallback() {
        return policy.tlsIfAvailableFallback().map(Decided::value).orElse(ifAvailableFallbackDefault);
    }

    /** True when no scope sets tlsIfAvailableFallback, so the mailet parameter decides it. */
    public boolean fallbackFromMailetParameter() {
        return policy.tlsIfAvailableFallback().isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EffectiveOptions)) {
            return false;
        }
        EffectiveOptions other = (EffectiveOptions) o;
        return policy.equals(other.policy) && ifAvailableFallbackDefault == other.ifAvailableFallbackDefault;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, ifAvailableFallbackDefault);
    }

    @Override
    public String toString() {
        return policy + (fallbackFromMailetParameter() ? " (tlsIfAvailableFallback=" + ifAvailableFallbackDefault
            + " from the mailet parameter)" : "");
    }
}
