package org.jamestls.names;

import java.net.IDN;
import java.util.Locale;

/**
 * The one spelling of a host or domain name that every comparison, cache key and lookup uses: lower case
 * (locale-independently, so "I" never becomes a dotless i), surrounding whitespace trimmed and one trailing
 * dot removed, so that "Bank.Example." and "bank.example" are the same name. The A-label forms add the IDN
 * conversion (RFC 5890) for callers that put the name on the wire (DNS queries, file names); policy keys
 * and certificate names are compared without it.
 */
public final class HostNames {
    private HostNames() {
    }

    /** {@code " Bank.Example. "} becomes {@code "bank.example"}; U-labels stay U-labels. */
    public static String normalize(String name) {
        return withoutTrailingDot(name.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The normalised name with its U-labels converted to A-labels ({@code bücher.test} becomes
     * {@code xn--bcher-kva.test}).
     *
     * @throws IllegalArgumentException when the name cannot be converted (e.g. a label over 63 characters)
     */
    public static String aLabel(String name) {
        return IDN.toASCII(normalize(name), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }

    /** Like {@link #aLabel}, but a name that cannot be converted is returned normalised (lookups for it find nothing). */
    public static String aLabelOrNormalized(String name) {
        try {
            return aLabel(name);
        } catch (IllegalArgumentException e) {
            return normalize(name);
        }
    }

    /**
     * Only the trailing dot of an absolute name off, case kept: for names shown as DNS gave them (MX hosts in
     * log lines and DSNs), which are compared elsewhere through {@link #normalize}.
     */
    public static String withoutTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
