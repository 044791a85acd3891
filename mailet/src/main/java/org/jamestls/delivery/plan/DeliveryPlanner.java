package org.jamestls.delivery.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamestls.dane.DaneStatus;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.TlsMechanism;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.policy.Binding;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.tls.TlsMaterialException;
import org.jamestls.tlsrpt.ReportedPolicy;
import org.jamestls.tlsrpt.TlsProblem;

/**
 * Every decision about one delivery run, made before the first connection: which MX addresses to try and in
 * which order, how each must be secured and with which TLS profile, which may not be tried at all, and where a
 * plaintext fallback is allowed. The delivery loop then runs the {@link DeliveryPlan} without deciding anything.
 *
 * <p>The rules, per MX (RFC 8461 section 2, RFC 7672 section 1.3): usable DANE &gt; MTA-STS enforce &gt; the
 * operator's {@code tls}/{@code tlsVerify}. A published policy only ever raises the level, to mandatory TLS with
 * no fallback. With dane on, an MX RRset that does not validate defers the whole domain, and an MX the validated
 * RRset lacks is refused; an MX outside an enforced MTA-STS policy is refused; MTA-STS testing keeps the
 * operator's level and records what verification says. Only the operator's own {@code ifavailable} gets a
 * plaintext fallback, and only with {@code tlsIfAvailableFallback}.
 *
 * <p>Later inputs are added here, not in the delivery loop: REQUIRETLS and {@code TLS-Required: No} arrive on
 * the {@link DeliveryRequest} and are read in {@code planMx}; a memory of MX addresses whose TLS is known broken
 * becomes a collaborator of this class, consulted in {@code atOperatorLevel} (plaintext at once, under
 * ifavailable only). TLS-RPT's terms per MX ({@link TlsReportTerms}: the policy judged by and its own problem) are
 * set on each {@link MxPlan} by {@code tlsReportTerms} from the same {@link DomainPublishedPolicy} and TLSA lookups;
 * each refusal carries its {@code TlsProblem}.
 */
public final class DeliveryPlanner {
    private final MxResolver mxResolver;
    private final PublishedPolicies publishedPolicies;
    private final TlsProfiles profiles;
    private final String defaultHeloName;

    /** @param defaultHeloName the mailet's {@code heloName}, for mail without a binding of its own */
    public DeliveryPlanner(MxResolver mxResolver, PublishedPolicies publishedPolicies, TlsProfiles profiles,
                           String defaultHeloName) {
        this.mxResolver = mxResolver;
        this.publishedPolicies = publishedPolicies;
        this.profiles = profiles;
        this.defaultHeloName = defaultHeloName;
    }

    public DeliveryPlan plan(DeliveryRequest request) {
        DeliveryLabel label = request.label();
        ResolvedTlsPolicy policy = request.options().policy();
        List<MxTarget> targets;
        try {
            targets = mxResolver.resolve(request.domain());
        } catch (MxResolver.ResolutionFailure e) {
            return DeliveryPlan.domainFailure(label, e.failure(), MxSecurity.operatorOnly(policy.tls().value()));
        }
        DomainPublishedPolicy published = publishedPolicies.forDomain(request.domain(), policy);
        Optional<DeliveryFailure> domainFailure = published.domainFailure();
        if (domainFailure.isPresent()) {
            return DeliveryPlan.domainFailure(label, domainFailure.get(),
                new MxSecurity(TlsMechanism.DANE, TlsLevel.REQUIRED, published.describe()),
                TlsReportTerms.under(ReportedPolicy.tlsaUnavailable(request.domain())));
        }
        ConnectionPlan operator;
        try {
            operator = operatorConnection(request);
        } catch (TlsMaterialException e) {
            // every operator profile was built at start-up, so a file changed since: retry on the schedule
            return DeliveryPlan.domainFailure(label, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
                "TLS settings for " + policy + " are unusable: " + e.getMessage()), MxSecurity.operatorOnly(policy.tls().value()));
        }
        // one TLSA lookup per MX host, however many addresses it has
        Map<String, DaneStatus> daneByHost = new HashMap<>();
        List<MxPlan> plans = new ArrayList<>();
        for (MxTarget target : targets) {
            plans.add(planMx(request, published, operator, target, daneByHost)
                .reportedAs(tlsReportTerms(request.domain(), published, target, daneByHost)));
        }
        return DeliveryPlan.tryInOrder(label, plans);
    }

    /** The binding's identity and the operator's level and TLS profile, before any published policy. */
    private ConnectionPlan operatorConnection(DeliveryRequest request) throws TlsMaterialException {
        Optional<Binding> binding = request.binding();
        ResolvedTlsPolicy policy = request.options().policy();
        return new ConnectionPlan(binding.flatMap(Binding::bindAddress),
            binding.flatMap(Binding::heloName).orElse(defaultHeloName),
            StartTlsMode.forLevel(policy.tls().value()), profiles.operator(policy));
    }

    private MxPlan planMx(DeliveryRequest request, DomainPublishedPolicy published, ConnectionPlan operator,
                          MxTarget target, Map<String, DaneStatus> daneByHost) {
        String domain = request.domain();
        ResolvedTlsPolicy policy = request.options().policy();
        try {
            if (published.daneApplies()) {
                if (!published.inSecureMxSet(target.mxHost())) {
                    // James's own resolver does not validate: an MX it returned that the signed RRset lacks is forged
                    return MxPlan.refused(target, TlsMechanism.DANE, new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
                        "4.7.5", "DANE: " + target + " is not in the DNSSEC-validated MX RRset of " + domain + " ("
                        + published.secureMx().orElseThrow().describe() + ")")
                        .withTlsProblem(TlsProblem.mxNotInSecureMxSet(target.mxHost())));
                }
                DaneStatus status = daneByHost.computeIfAbsent(target.mxHost(), publishedPolicies::daneStatus);
                Optional<MxPlan> dane = dane(policy, domain, status, operator, target);
                if (dane.isPresent()) {
                    return dane.get();
                }
            }
            Optional<MtaStsLookup> sts = published.mtaSts();
            if (sts.map(MtaStsLookup::isEnforce).orElse(false)) {
                return mtaStsEnforce(policy, domain, sts.get(), operator, target);
            }
            if (sts.map(MtaStsLookup::isTesting).orElse(false)) {
                String match = sts.get().matches(target.mxHost()) ? "mx matches" : "mx " + target.mxHost() + " NOT in policy";
                return atOperatorLevel(request, target, TlsMechanism.MTA_STS,
                    operator.withTlsNegotiator(profiles.mtaStsTesting(policy)), sts.get().describe() + "; testing only, " + match);
            }
        } catch (TlsMaterialException e) {
            return MxPlan.refused(target, TlsMechanism.POLICY, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
                "TLS settings for " + domain + " are unusable: " + e.getMessage()));
        }
        return atOperatorLevel(request, target, TlsMechanism.POLICY, operator, published.describe());
    }

    private Optional<MxPlan> dane(ResolvedTlsPolicy policy, String domain, DaneStatus status, ConnectionPlan operator,
                                  MxTarget target) throws TlsMaterialException {
        switch (status.kind()) {
            case USABLE:
                return Optional.of(MxPlan.mandatoryTls(target, TlsMechanism.DANE,
                    operator.mandatory(profiles.dane(policy, status, domain)), status.describe()));
            case SECURE_NO_USABLE:
                // RFC 7672 section 2.2: TLS is still mandatory, authenticated as the operator asks
                return Optional.of(MxPlan.mandatoryTls(target, TlsMechanism.DANE,
                    operator.mandatory(operator.tlsNegotiator()), status.describe() + " (mandatory TLS)"));
            case BOGUS:
            case FAILED:
                return Optional.of(MxPlan.refused(target, TlsMechanism.DANE, new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
                    "4.7.5", "DANE: TLSA lookup for " + target + " unusable: " + status.describe())
                    .withTlsProblem(TlsProblem.dnssecFailed(status.describe()))));
            default:
                // no TLSA records, or not signed: MTA-STS and the operator's policy decide
                return Optional.empty();
        }
    }

    private MxPlan mtaStsEnforce(ResolvedTlsPolicy policy, String domain, MtaStsLookup sts, ConnectionPlan operator,
                                 MxTarget target) throws TlsMaterialException {
        if (!sts.matches(target.mxHost())) {
            return MxPlan.refused(target, TlsMechanism.MTA_STS, new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5",
                "MTA-STS: " + target + " is not an MX allowed by the policy of " + domain + " (" + sts.describe() + ")")
                .withTlsProblem(TlsProblem.mxNotInStsPolicy(target.mxHost())));
        }
        return MxPlan.mandatoryTls(target, TlsMechanism.MTA_STS, operator.mandatory(profiles.mtaStsEnforce(policy)),
            sts.describe());
    }

    /**
     * TLS-RPT (RFC 8460 section 3): the policy an MX's sessions are reported under, as {@code planMx} judged it. DANE
     * data of the MX host (usable, none usable, DNSSEC failed) gives a {@code tlsa} policy at the MX host; an MX the
     * validated MX RRset lacks is reported to the recipient domain (asking a forged MX's own {@code _smtp._tls} would
     * tell its operator); an MTA-STS policy applied gives {@code sts}, one announced but not had {@code sts} without
     * strings; else {@code no-policy-found}.
     */
    private static TlsReportTerms tlsReportTerms(String domain, DomainPublishedPolicy published, MxTarget target,
                                                 Map<String, DaneStatus> daneByHost) {
        String mxHost = target.mxHost();
        if (published.daneApplies()) {
            if (!published.inSecureMxSet(mxHost)) {
                return TlsReportTerms.under(ReportedPolicy.tlsaUnavailable(domain));
            }
            DaneStatus status = daneByHost.get(mxHost);
            if (status != null && status.kind() == DaneStatus.Kind.USABLE) {
                return TlsReportTerms.under(ReportedPolicy.tlsa(mxHost, status.records()));
            }
            if (status != null && status.kind() == DaneStatus.Kind.SECURE_NO_USABLE) {
                return TlsReportTerms.failing(ReportedPolicy.tlsa(mxHost, List.of()), TlsProblem.tlsaNoneUsable(status.describe()));
            }
            if (status != null && status.isTemporaryFailure()) {
                return TlsReportTerms.under(ReportedPolicy.tlsaUnavailable(mxHost));
            }
        }
        Optional<MtaStsLookup> sts = published.mtaSts();
        if (sts.map(lookup -> lookup.isEnforce() || lookup.isTesting()).orElse(false)) {
            ReportedPolicy policy = ReportedPolicy.sts(domain, sts.get().policy().orElseThrow());
            return sts.get().isTesting() && !sts.get().matches(mxHost)
                ? TlsReportTerms.failing(policy, TlsProblem.mxNotInStsPolicy(mxHost)) : TlsReportTerms.under(policy);
        }
        if (sts.map(lookup -> lookup.state() == MtaStsLookup.State.FETCH_FAILED).orElse(false)) {
            return TlsReportTerms.failing(ReportedPolicy.stsUnavailable(domain), TlsProblem.stsPolicyUnavailable(sts.get()));
        }
        return TlsReportTerms.under(ReportedPolicy.noPolicyFound(domain));
    }

    /** The operator's level stands; its ifavailable may fall back to plaintext when the options allow it. */
    private MxPlan atOperatorLevel(DeliveryRequest request, MxTarget target, TlsMechanism mechanism,
                                   ConnectionPlan connection, String description) {
        TlsLevel level = request.options().policy().tls().value();
        Optional<ConnectionPlan> fallback = level == TlsLevel.IFAVAILABLE && request.options().tlsIfAvailableFallback()
            // Momentum 4.1+ tls_ifavailable_fallback: same MX, at once, without STARTTLS
            ? Optional.of(connection.withStartTlsMode(StartTlsMode.NEVER)) : Optional.empty();
        return MxPlan.operatorLevel(target, mechanism, level, connection, fallback, description);
    }
}
