package org.jamestls.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * The operator's whole say on a delivery: the policy file, and the mailet parameters that supply defaults for
 * options the file leaves unset ({@code tlsIfAvailableFallback} is the only one). Delivery and WebAdmin's
 * effective route resolve through it, so both see the same options. Immutable.
 */
public final class EffectivePolicy {
    private final TlsPolicy policy;
    private final boolean ifAvailableFallbackDefault;

    /** @param ifAvailableFallbackDefault the mailet parameter {@code tlsIfAvailableFallback} */
    public EffectivePolicy(TlsPolicy policy, boolean ifAvailableFallbackDefault) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ifAvailableFallbackDefault = ifAvailableFallbackDefault;
    }

    /** The options for delivering to {@code domain} through {@code binding}; see {@link TlsPolicy#resolve}. */
    public EffectiveOptions resolve(String domain, Optional<Binding> binding) {
        return new EffectiveOptions(policy.resolve(domain, binding), ifAvailableFallbackDefault);
    }

    public TlsPolicy policy() {
        return policy;
    }
}
