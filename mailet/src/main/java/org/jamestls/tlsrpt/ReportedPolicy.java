package org.jamestls.tlsrpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.jamestls.dane.TlsaRecord;
import org.jamestls.names.HostNames;
import org.jamestls.mtasts.MtaStsPolicy;

/**
 * The {@code policy} object of a report (RFC 8460 §4.4): policy type, the policy as strings (§4.5), the policy
 * domain and the MX host patterns. Immutable, with value equality: it is the key sessions are counted under.
 *
 * <p>Which policy domain (RFC 8460 §3, "Policy Domain"): for MTA-STS the recipient domain (the envelope
 * recipient's domain; we deliver to MX hosts, never to a smarthost); for DANE the TLSA base domain of the receiving
 * server, which here is the MX host name (TLSA records are looked up at the MX host, not at a CNAME target); for
 * no-policy-found the recipient domain. The TLSRPT record is then looked up at {@code _smtp._tls.<policy domain>}.
 * Domains are kept as A-labels, lower case, without a trailing dot (§4.4 wants A-labels).
 */
public final class ReportedPolicy {
    private final PolicyType type;
    private final String policyDomain;
    private final List<String> policyStrings;
    private final List<String> mxHosts;

    private ReportedPolicy(PolicyType type, String policyDomain, List<String> policyStrings, List<String> mxHosts) {
        this.type = Objects.requireNonNull(type);
        this.policyDomain = HostNames.aLabelOrNormalized(policyDomain);
        if (this.policyDomain.isEmpty()) {
            throw new IllegalArgumentException("empty policy domain");
        }
        this.policyStrings = Collections.unmodifiableList(new ArrayList<>(policyStrings));
        this.mxHosts = Collections.unmodifiableList(new ArrayList<>(mxHosts));
    }

    /** An MTA-STS policy that applied to {@code recipientDomain}: its lines as served, its mx patterns. */
    public static ReportedPolicy sts(String recipientDomain, MtaStsPolicy policy) {
        List<String> lines = policy.text().lines()
            .map(ReportedPolicy::stripTrailingWhitespace)
            .filter(line -> !line.isEmpty())
            .collect(Collectors.toList());
        return new ReportedPolicy(PolicyType.STS, recipientDomain, lines, policy.mxPatterns());
    }

    /** An MTA-STS policy announced by {@code recipientDomain} that could not be had (fetch failed, invalid). */
    public static ReportedPolicy stsUnavailable(String recipientDomain) {
        return new ReportedPolicy(PolicyType.STS, recipientDomain, List.of(), List.of());
    }

    /** The TLSA records that applied to {@code mxHost} (the policy domain), in RFC 6698 presentation. */
    public static ReportedPolicy tlsa(String mxHost, List<TlsaRecord> records) {
        return new ReportedPolicy(PolicyType.TLSA, mxHost,
            records.stream().map(TlsaRecord::presentation).collect(Collectors.toList()), List.of(HostNames.aLabelOrNormalized(mxHost)));
    }

    /**
     * DANE applied but its records could not be had: DNSSEC failed for {@code policyDomain}'s TLSA RRset (the MX
     * host) or for the recipient domain's MX RRset (then the recipient domain: there is no MX host to name).
     */
    public static ReportedPolicy tlsaUnavailable(String policyDomain) {
        return new ReportedPolicy(PolicyType.TLSA, policyDomain, List.of(), List.of());
    }

    /** Neither MTA-STS nor DANE applied to {@code recipientDomain}. */
    public static ReportedPolicy noPolicyFound(String recipientDomain) {
        return new ReportedPolicy(PolicyType.NO_POLICY_FOUND, recipientDomain, List.of(), List.of());
    }

    /** As stored: for reading back what {@link #type()} and friends gave. */
    static ReportedPolicy of(PolicyType type, String policyDomain, List<String> policyStrings, List<String> mxHosts) {
        return new ReportedPolicy(type, policyDomain, policyStrings, mxHosts);
    }

    public PolicyType type() {
        return type;
    }

    public String policyDomain() {
        return policyDomain;
    }

    /** {@code policy-string}: the MTA-STS policy lines, or one TLSA RDATA per string; empty for no-policy-found. */
    public List<String> policyStrings() {
        return policyStrings;
    }

    /** {@code mx-host}: the MTA-STS mx patterns, or the MX host of a TLSA policy. */
    public List<String> mxHosts() {
        return mxHosts;
    }

    /** Characters in the strings, for the store's size caps. */
    int size() {
        int size = policyDomain.length();
        for (String s : policyStrings) {
            size += s.length();
        }
        for (String s : mxHosts) {
            size += s.length();
        }
        return size;
    }

    private static String stripTrailingWhitespace(String line) {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReportedPolicy)) {
            return false;
        }
        ReportedPolicy other = (ReportedPolicy) o;
        return type == other.type && policyDomain.equals(other.policyDomain) && policyStrings.equals(other.policyStrings)
            && mxHosts.equals(other.mxHosts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, policyDomain, policyStrings, mxHosts);
    }

    @Override
    public String toString() {
        return type.label() + " " + policyDomain + " " + policyStrings + " mx=" + mxHosts;
    }
}
