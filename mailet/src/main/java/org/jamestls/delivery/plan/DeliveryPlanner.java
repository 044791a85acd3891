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
 * ifavailable only); TLS-RPT's policy type per MX is set on the {@link MxPlan} in {@code planMx} from the same
 * {@link DomainPublishedPolicy}.
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
                new MxSecurity(TlsMechanism.DANE, TlsLevel.REQUIRED, published.describe()));
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
            plans.add(planMx(request, published, operator, target, daneByHost));
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
        if (published.daneApplies()) {
            if (!published.inSecureMxSet(target.mxHost())) {
                // James's own resolver does not validate: an MX it returned that the signed RRset lacks is forged
                return MxPlan.refused(target, TlsMechanism.DANE, TlsLevel.REQUIRED, new DeliveryFailure(
                    FailureKind.PUBLISHED_POLICY, "4.7.5", "DANE: " + target + " is not in the DNSSEC-validated MX RRset of "
                    + domain + " (" + published.secureMx().orElseThrow().describe() + ")"));
            }
            DaneStatus status = daneByHost.computeIfAbsent(target.mxHost(), publishedPolicies::daneStatus);
            try {
                Optional<MxPlan> dane = dane(policy, domain, status, operator, target);
                if (dane.isPresent()) {
                    return dane.get();
                }
            } catch (TlsMaterialException e) {
                return unusableSettings(target, TlsMechanism.DANE, TlsLevel.REQUIRED, domain, e);
            }
        }
        Optional<MtaStsLookup> sts = published.mtaSts();
        if (sts.map(MtaStsLookup::isEnforce).orElse(false)) {
            try {
                return mtaStsEnforce(policy, domain, sts.get(), operator, target);
            } catch (TlsMaterialException e) {
                return unusableSettings(target, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, domain, e);
            }
        }
        if (sts.map(MtaStsLookup::isTesting).orElse(false)) {
            String match = sts.get().matches(target.mxHost()) ? "mx matches" : "mx " + target.mxHost() + " NOT in policy";
            try {
                return atOperatorLevel(request, target, TlsMechanism.MTA_STS,
                    operator.withTlsNegotiator(profiles.mtaStsTesting(policy)), sts.get().describe() + "; testing only, " + match);
            } catch (TlsMaterialException e) {
                return unusableSettings(target, TlsMechanism.MTA_STS, policy.tls().value(), domain, e);
            }
        }
        return atOperatorLevel(request, target, TlsMechanism.POLICY, operator, published.describe());
    }

    /**
     * The TLS profile {@code mechanism} needs cannot be built (a tlsCa or key file changed since start-up): the MX is
     * not tried (4.3.0, internal-error), reported with the mechanism and the level it would have used.
     */
    private static MxPlan unusableSettings(MxTarget target, TlsMechanism mechanism, TlsLevel level, String domain,
                                           TlsMaterialException e) {
        return MxPlan.refused(target, mechanism, level, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
            "TLS settings for " + domain + " are unusable: " + e.getMessage()));
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
                return Optional.of(MxPlan.refused(target, TlsMechanism.DANE, TlsLevel.REQUIRED, new DeliveryFailure(
                    FailureKind.PUBLISHED_POLICY, "4.7.5", "DANE: TLSA lookup for " + target + " unusable: "
                    + status.describe())));
            default:
                // no TLSA records, or not signed: MTA-STS and the operator's policy decide
                return Optional.empty();
        }
    }

    private MxPlan mtaStsEnforce(ResolvedTlsPolicy policy, String domain, MtaStsLookup sts, ConnectionPlan operator,
                                 MxTarget target) throws TlsMaterialException {
        if (!sts.matches(target.mxHost())) {
            return MxPlan.refused(target, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, new DeliveryFailure(
                FailureKind.PUBLISHED_POLICY, "4.7.5", "MTA-STS: " + target + " is not an MX allowed by the policy of "
                + domain + " (" + sts.describe() + ")"));
        }
        return MxPlan.mandatoryTls(target, TlsMechanism.MTA_STS, operator.mandatory(profiles.mtaStsEnforce(policy)),
            sts.describe());
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
