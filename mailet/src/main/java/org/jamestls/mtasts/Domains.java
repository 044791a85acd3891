package org.jamestls.mtasts;

import java.net.IDN;
import java.util.Locale;

/** One spelling per domain for DNS names, cache keys and file names: A-labels, lower case, no trailing dot. */
public final class Domains {
    private Domains() {
    }

    public static String normalize(String domain) {
        String d = domain.trim();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            // not convertible: keep as is; lookups for it will simply find nothing
        }
        return d.toLowerCase(Locale.ROOT);
    }

    /** The host serving the policy of {@code domain} (RFC 8461 §3.3). */
    static String policyHost(String domain) {
        return "mta-sts." + normalize(domain);
    }

    /** The TXT record announcing it (RFC 8461 §3.1). */
    static String txtName(String domain) {
        return "_mta-sts." + normalize(domain);
    }
}
