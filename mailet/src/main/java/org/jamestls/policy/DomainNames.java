package org.jamestls.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jamestls.names.HostNames;

/** The single place that decides when two domain names are "the same" for policy lookups. */
public final class DomainNames {
    private DomainNames() {
    }

    /**
     * {@link HostNames#normalize}: "Bank.Example." and "bank.example" share a stanza. U-labels are compared as
     * written (no IDN conversion of policy keys here).
     */
    public static String normalize(String domain) {
        return HostNames.normalize(domain);
    }

    /**
     * Copies a domain-to-options map with normalised keys. Rejects keys that collide after
     * normalisation: which stanza wins would otherwise depend on map order.
     */
    static Map<String, ScopeOptions> normalizeKeys(Map<String, ScopeOptions> domains) {
        Map<String, ScopeOptions> result = new LinkedHashMap<>();
        domains.forEach((domain, options) -> {
            String key = normalize(domain);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("blank domain name");
            }
            if (result.put(key, Objects.requireNonNull(options, "options")) != null) {
                throw new IllegalArgumentException("domain " + key + " is configured twice in the same scope");
            }
        });
        return Collections.unmodifiableMap(result);
    }
}
