package org.jamestls.policy;

import java.util.Map;

/**
 * What a receiving domain publishes (MTA-STS, DANE), as the WebAdmin effective-policy route shows it. Lives
 * here so the route reaches the delivery side through {@link LoadedPolicies} without depending on it.
 */
public interface PublishedPolicyInspector {
    /** JSON-ready state of the domain's published policies under {@code policy}'s mtaSts/dane options. */
    Map<String, Object> inspect(String domain, ResolvedTlsPolicy policy);
}
