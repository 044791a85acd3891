package org.jamestls.delivery.plan;

import java.util.Objects;
import java.util.Optional;

import org.jamestls.tlsrpt.ReportedPolicy;
import org.jamestls.tlsrpt.TlsProblem;

/**
 * How the sessions to one MX (or the failure of a whole domain) count in TLS reports (RFC 8460): the policy the MX is
 * judged by, and a problem of that policy known before any connection, which makes each session to the MX a failure
 * even when it delivers: an MTA-STS policy announced but not had, an MX outside an MTA-STS {@code testing} policy, a
 * signed TLSA RRset without a usable record. Decided by {@link DeliveryPlanner} from the lookups that decide the plan;
 * failures found on the connection carry their own problem ({@code DeliveryFailure.tlsProblem()}). Immutable.
 */
public final class TlsReportTerms {
    /** Nothing is reported: no TLS matter (DNS failures), or not planned by {@link DeliveryPlanner#plan}. */
    public static final TlsReportTerms NOT_REPORTED = new TlsReportTerms(Optional.empty(), Optional.empty());

    private final Optional<ReportedPolicy> policy;
    private final Optional<TlsProblem> policyProblem;

    private TlsReportTerms(Optional<ReportedPolicy> policy, Optional<TlsProblem> policyProblem) {
        this.policy = policy;
        this.policyProblem = policyProblem;
    }

    /** Sessions count under {@code policy}: a success when TLS is up as it demands. */
    public static TlsReportTerms under(ReportedPolicy policy) {
        return new TlsReportTerms(Optional.of(policy), Optional.empty());
    }

    /** Sessions count under {@code policy}, each a failure for {@code problem} unless the session failed first. */
    public static TlsReportTerms failing(ReportedPolicy policy, TlsProblem problem) {
        return new TlsReportTerms(Optional.of(policy), Optional.of(Objects.requireNonNull(problem)));
    }

    /** The report's {@code policy} object; empty: {@link #NOT_REPORTED}. */
    public Optional<ReportedPolicy> policy() {
        return policy;
    }

    public Optional<TlsProblem> policyProblem() {
        return policyProblem;
    }

    @Override
    public String toString() {
        return policy.map(p -> p + policyProblem.map(problem -> " failing: " + problem).orElse("")).orElse("not reported");
    }
}
