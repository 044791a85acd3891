package org.jamestls.delivery;

import org.jamestls.policy.ResolvedTlsPolicy;

/** The decisions made for one mail and domain before any connection: binding, policy and connection plan. */
public final class DeliveryContext {
    private final String mailName;
    private final String domain;
    private final String bindingLabel;
    private final ResolvedTlsPolicy policy;
    private final boolean ifAvailableFallback;
    private final ConnectionPlan plan;

    public DeliveryContext(String mailName, String domain, String bindingLabel, ResolvedTlsPolicy policy,
                           boolean ifAvailableFallback, ConnectionPlan plan) {
        this.mailName = mailName;
        this.domain = domain;
        this.bindingLabel = bindingLabel;
        this.policy = policy;
        this.ifAvailableFallback = ifAvailableFallback;
        this.plan = plan;
    }

    public String mailName() {
        return mailName;
    }

    public String domain() {
        return domain;
    }

    public String bindingLabel() {
        return bindingLabel;
    }

    public ResolvedTlsPolicy policy() {
        return policy;
    }

    public boolean ifAvailableFallback() {
        return ifAvailableFallback;
    }

    public ConnectionPlan plan() {
        return plan;
    }
}
