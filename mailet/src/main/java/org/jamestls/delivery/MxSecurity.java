package org.jamestls.delivery;

import java.util.Optional;

import org.jamestls.policy.TlsLevel;
import org.jamestls.smtp.TlsNegotiator;

/**
 * What the receiving domain's published policy (DANE, MTA-STS) makes of one MX: nothing (the operator's
 * policy applies), mandatory TLS with its own authentication, an observed-only check (MTA-STS testing), or
 * a refusal of this MX. A published policy only ever raises the operator's level.
 */
public final class MxSecurity {
    /** Which mechanism decided how this MX is secured, for logs, attributes and metrics. */
    public enum Mechanism {
        POLICY("policy"), MTA_STS("mta-sts"), DANE("dane");

        private final String label;

        Mechanism(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Mechanism mechanism;
    private final boolean requiresTls;
    private final Optional<TlsNegotiator> negotiator;
    private final Optional<DeliveryFailure> refusal;
    private final String description;

    private MxSecurity(Mechanism mechanism, boolean requiresTls, Optional<TlsNegotiator> negotiator,
                       Optional<DeliveryFailure> refusal, String description) {
        this.mechanism = mechanism;
        this.requiresTls = requiresTls;
        this.negotiator = negotiator;
        this.refusal = refusal;
        this.description = description;
    }

    /** No published policy applies: the operator's tls/tlsVerify decide. */
    public static MxSecurity operatorPolicy(String description) {
        return new MxSecurity(Mechanism.POLICY, false, Optional.empty(), Optional.empty(), description);
    }

    /** TLS is mandatory and authenticated (or not) by {@code negotiator}: no plaintext, no fallback. */
    public static MxSecurity required(Mechanism mechanism, TlsNegotiator negotiator, String description) {
        return new MxSecurity(mechanism, true, Optional.of(negotiator), Optional.empty(), description);
    }

    /** TLS is mandatory, authenticated as the operator's own settings say (DANE with no usable TLSA record). */
    public static MxSecurity requiredWithOperatorTls(Mechanism mechanism, String description) {
        return new MxSecurity(mechanism, true, Optional.empty(), Optional.empty(), description);
    }

    /** The operator's level stands; the negotiator only records what verification would say (MTA-STS testing). */
    public static MxSecurity observed(Mechanism mechanism, TlsNegotiator negotiator, String description) {
        return new MxSecurity(mechanism, false, Optional.of(negotiator), Optional.empty(), description);
    }

    /** This MX must not be used (not in the MTA-STS policy, DANE data bogus): a temporary failure. */
    public static MxSecurity refused(Mechanism mechanism, DeliveryFailure failure) {
        return new MxSecurity(mechanism, true, Optional.empty(), Optional.of(failure), failure.detail());
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    public Optional<DeliveryFailure> refusal() {
        return refusal;
    }

    /** The level the connection really uses. */
    public TlsLevel effectiveLevel(TlsLevel operatorLevel) {
        return requiresTls ? TlsLevel.REQUIRED : operatorLevel;
    }

    /** Only the operator's own ifavailable may fall back to plaintext; a published policy never does. */
    public boolean allowsPlaintextFallback() {
        return !requiresTls;
    }

    public ConnectionPlan applyTo(ConnectionPlan plan) {
        ConnectionPlan secured = requiresTls ? plan.withStartTlsMode(StartTlsMode.forLevel(TlsLevel.REQUIRED)) : plan;
        return negotiator.map(secured::withTlsNegotiator).orElse(secured);
    }

    public String describe() {
        return mechanism.label() + ": " + description;
    }

    @Override
    public String toString() {
        return describe();
    }
}
