package org.jamestls.tlsrpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What one policy domain's sessions gave in one period: the content of its report. Immutable. */
public final class DomainSnapshot {
    private final String policyDomain;
    private final List<PolicySnapshot> policies;

    DomainSnapshot(String policyDomain, List<PolicySnapshot> policies) {
        this.policyDomain = policyDomain;
        this.policies = Collections.unmodifiableList(new ArrayList<>(policies));
    }

    public String policyDomain() {
        return policyDomain;
    }

    public List<PolicySnapshot> policies() {
        return policies;
    }

    public long sessions() {
        return policies.stream().mapToLong(p -> p.successfulSessions() + p.failedSessions()).sum();
    }
}
