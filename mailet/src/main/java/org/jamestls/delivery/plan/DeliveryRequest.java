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
 * <p>Per-mail inputs that change the plan belong here, read by the planner and nowhere else: what the sender asked
 * of TLS ({@link SenderTls}: REQUIRETLS, or the {@code TLS-Required: No} header; RFC 8689). What the planner learns
 * from elsewhere (a remembered broken TLS per MX address, TLS-RPT's policy types) comes through its own
 * collaborators, see {@link DeliveryPlanner}.
 */
public final class DeliveryRequest {
    private final String mailName;
    private final String domain;
    private final Optional<Binding> binding;
    private final EffectiveOptions options;
    private final SenderTls senderTls;

    /** A mail whose sender asked nothing of TLS; see {@link #withSenderTls}. */
    public DeliveryRequest(String mailName, String domain, Optional<Binding> binding, EffectiveOptions options) {
        this(mailName, domain, binding, options, SenderTls.NONE);
    }

    private DeliveryRequest(String mailName, String domain, Optional<Binding> binding, EffectiveOptions options,
                            SenderTls senderTls) {
        this.mailName = Objects.requireNonNull(mailName, "mailName");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.binding = Objects.requireNonNull(binding, "binding");
        this.options = Objects.requireNonNull(options, "options");
        this.senderTls = Objects.requireNonNull(senderTls, "senderTls");
    }

    /** The same request for a mail whose sender asked {@code asked} (REQUIRETLS, TLS-Required: No). */
    public DeliveryRequest withSenderTls(SenderTls asked) {
        return new DeliveryRequest(mailName, domain, binding, options, asked);
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

    /** What the sender asked, before the operator's tlsRequiredHeader says whether the header counts. */
    public SenderTls senderTls() {
        return senderTls;
    }

    /** How logs, attributes, metrics and DSNs name this delivery. */
    public DeliveryLabel label() {
        return new DeliveryLabel(mailName, domain, binding.map(Binding::name).orElse("none"), options.policy().tls(),
            options.policy().tlsVerify());
    }
}
