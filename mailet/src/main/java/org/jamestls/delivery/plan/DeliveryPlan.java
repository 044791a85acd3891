package org.jamestls.delivery.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.MxSecurity;

/**
 * Everything decided about one delivery run before a connection is made: either a failure of the whole domain
 * (DNS, a DANE MX RRset that does not validate), or the MX addresses to try in order, each with its
 * {@link MxPlan}. Immutable; built by {@link DeliveryPlanner}, run by the delivery loop without further decisions.
 */
public final class DeliveryPlan {
    /** No MX can be tried: why, and how that is reported (mechanism, level, what the domain publishes). */
    public static final class DomainFailure {
        private final DeliveryFailure failure;
        private final MxSecurity security;
        private final TlsReportTerms reportTerms;

        DomainFailure(DeliveryFailure failure, MxSecurity security, TlsReportTerms reportTerms) {
            this.failure = Objects.requireNonNull(failure, "failure");
            this.security = Objects.requireNonNull(security, "security");
            this.reportTerms = Objects.requireNonNull(reportTerms, "reportTerms");
        }

        public DeliveryFailure failure() {
            return failure;
        }

        public MxSecurity security() {
            return security;
        }

        /** How the failure counts in TLS reports: only a DNSSEC failure of a DANE domain's MX RRset is reported. */
        public TlsReportTerms reportTerms() {
            return reportTerms;
        }

        @Override
        public String toString() {
            return failure + " " + security;
        }
    }

    private final DeliveryLabel label;
    private final Optional<DomainFailure> domainFailure;
    private final List<MxPlan> mxPlans;

    private DeliveryPlan(DeliveryLabel label, Optional<DomainFailure> domainFailure, List<MxPlan> mxPlans) {
        this.label = Objects.requireNonNull(label, "label");
        this.domainFailure = domainFailure;
        this.mxPlans = List.copyOf(mxPlans);
    }

    static DeliveryPlan domainFailure(DeliveryLabel label, DeliveryFailure failure, MxSecurity security) {
        return domainFailure(label, failure, security, TlsReportTerms.NOT_REPORTED);
    }

    static DeliveryPlan domainFailure(DeliveryLabel label, DeliveryFailure failure, MxSecurity security,
                                      TlsReportTerms reportTerms) {
        return new DeliveryPlan(label, Optional.of(new DomainFailure(failure, security, reportTerms)), List.of());
    }

    static DeliveryPlan tryInOrder(DeliveryLabel label, List<MxPlan> mxPlans) {
        if (mxPlans.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one MX: " + label);
        }
        return new DeliveryPlan(label, Optional.empty(), mxPlans);
    }

    public DeliveryLabel label() {
        return label;
    }

    /** Present when no MX is tried at all; then {@link #mxPlans()} is empty. */
    public Optional<DomainFailure> domainFailure() {
        return domainFailure;
    }

    /** In the order to try them (MX preference, each address of each host); never empty without a domain failure. */
    public List<MxPlan> mxPlans() {
        return mxPlans;
    }

    @Override
    public String toString() {
        return label + domainFailure.map(f -> " failed: " + f).orElse(" " + mxPlans);
    }
}
