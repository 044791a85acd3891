package org.jamestls.mtasts;

import org.jamestls.names.HostNames;

/**
 * The DNS names of a domain's MTA-STS announcement and policy host, from its one spelling for DNS names, cache
 * keys and file names ({@link HostNames#aLabelOrNormalized}: A-labels, lower case, no trailing dot).
 */
final class Domains {
    private Domains() {
    }

    /** The host serving the policy of {@code domain} (RFC 8461 §3.3). */
    static String policyHost(String domain) {
        return "mta-sts." + HostNames.aLabelOrNormalized(domain);
    }

    /** The TXT record announcing it (RFC 8461 §3.1). */
    static String txtName(String domain) {
        return "_mta-sts." + HostNames.aLabelOrNormalized(domain);
    }
}
