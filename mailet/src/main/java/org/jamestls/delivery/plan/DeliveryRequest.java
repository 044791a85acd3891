package org.jamestls.delivery.plan;

import java.util.Objects;
import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.policy.Binding;
import org.jamestls.policy.EffectiveOptions;

/**
 * What {@link DeliveryPlanner} is asked to plan: one queued mail to one recipient domain, the binding it goes out
 * through (empty: the mailet's own identity), and the operator's options resolved for both. Immutable.
 *
 * <p>Per-mail inputs that later change the plan belong here, read by the planner and nowhere else:
 * <ul>
 *   <li>REQUIRETLS (RFC 8689), asked for by the sender: only an MX validated by DNSSEC (a secure DANE MX RRset)
 *     or by an MTA-STS enforce policy, TLS mandatory with a verified certificate, and a receiver that offers
 *     REQUIRETLS ({@link ConnectionPlan});</li>
 *   <li>the {@code TLS-Required: No} header (RFC 8689 section 5): published policies ignored, TLS when offered
 *     and never a TLS failure (each MX gets its plaintext fallback plan).</li>
 * </ul>
 * What the planner learns from elsewhere (a remembered broken TLS per MX address, TLS-RPT's policy types) comes
 * through its own collaborators, see {@link DeliveryPlanner}.
 */
public final class DeliveryRequest {
    private final String mailName;
    private final String domain;
    private final Optional<Binding> binding;
    private final EffectiveOptions options;

    public DeliveryRequest(String mailName, String domain, Optional<Binding> binding, EffectiveOptions options) {
        this.mailName = Objects.requireNonNull(mailName, "mailName");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.binding = Objects.requireNonNull(binding, "binding");
        this.options = Objects.requireNonNull(options, "options");
    }

    public String mailName() {
        return mailName;
    }

    public String domain() {
        return domain;
    }

    public Optional<Binding> binding() {
        return binding;
    }

    public EffectiveOptions options() {
        return options;
    }

    /** How logs, attributes, metrics and DSNs name this delivery. */
    public DeliveryLabel label() {
        return new DeliveryLabel(mailName, domain, binding.map(Binding::name).orElse("none"), options.policy().tls(),
            options.policy().tlsVerify());
    }
}
