package org.jamestls.delivery.plan;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamestls.brokentls.BrokenTlsEntry;
import org.jamestls.brokentls.BrokenTlsKey;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.dane.DaneStatus;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.TlsMechanism;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.policy.Binding;
import org.jamestls.policy.Decided;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsRequiredHeader;
import org.jamestls.smtp.TlsNegotiator;
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
 * <p>What the sender asked ({@link SenderTls}, RFC 8689) comes first:
 * <ul>
 *   <li>REQUIRETLS ({@link #requireTls}): on top of what the domain publishes, the MX must come from the
 *     DNSSEC-validated MX RRset (dane on) or match the domain's MTA-STS policy (enforce or testing); TLS is
 *     mandatory, verified by usable DANE records or else by PKIX and the MX host name; the receiver must offer
 *     REQUIRETLS. An MX that does not qualify is refused, a TLS failure on it is final ({@code 5.7.30}), nothing
 *     falls back and the broken-TLS memory is never consulted. The {@code TLS-Required} header is ignored.</li>
 *   <li>{@code TLS-Required: No} ({@link #tlsRequiredNo}), as the operator's {@code tlsRequiredHeader} lets it:
 *     {@code ignore} changes nothing; {@code published} leaves MTA-STS and DANE out (not even looked up) and the
 *     operator's level stands; {@code all} also lowers the operator's {@code ifavailable}/{@code required}: STARTTLS
 *     when offered, plaintext at once after a failed handshake, a certificate that fails verification recorded but
 *     used. The operator's {@code no} stays no.</li>
 * </ul>
 *
 * <p>The memory of broken TLS ({@link BrokenTlsMemory}, {@code tlsRememberBroken}) is consulted in
 * {@link #withBrokenTlsMemory} only for an operator's {@code ifavailable} whose connection still just offers
 * STARTTLS (nothing published raised it, no REQUIRETLS): a remembered address gets plaintext at once; any other
 * such plan remembers a failed handshake.
 *
 * <p>TLS-RPT's terms per MX ({@link TlsReportTerms}: the policy judged by and its own problem) are set on each
 * {@link MxPlan} by {@code tlsReportTerms} from the same {@link DomainPublishedPolicy} and TLSA lookups; each
 * refusal a receiver's policy makes carries its {@code TlsProblem}.
 */
public final class DeliveryPlanner {
    /** RFC 8689 section 7: REQUIRETLS support required (or any other REQUIRETLS requirement not met). */
    public static final String REQUIRETLS_STATUS = "5.7.30";

    private final MxResolver mxResolver;
    private final PublishedPolicies publishedPolicies;
    private final TlsProfiles profiles;
    private final String defaultHeloName;
    private final BrokenTlsMemory brokenTls;
    private final Clock clock;

    /**
     * @param defaultHeloName the mailet's {@code heloName}, for mail without a binding of its own
     * @param brokenTls the memory of failed handshakes, shared with WebAdmin's {@code /tls-policy/broken}
     */
    public DeliveryPlanner(MxResolver mxResolver, PublishedPolicies publishedPolicies, TlsProfiles profiles,
                           String defaultHeloName, BrokenTlsMemory brokenTls, Clock clock) {
        this.mxResolver = mxResolver;
        this.publishedPolicies = publishedPolicies;
        this.profiles = profiles;
        this.defaultHeloName = defaultHeloName;
        this.brokenTls = brokenTls;
        this.clock = clock;
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
        SenderTls sender = senderTls(request);
        // TLS-Required: No leaves out what receivers publish: not even looked up, so it cannot fail either
        DomainPublishedPolicy published = sender == SenderTls.TLS_REQUIRED_NO
            ? DomainPublishedPolicy.notLookedUp(request.domain()) : publishedPolicies.forDomain(request.domain(), policy);
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
            plans.add(planMx(request, sender, published, operator, target, daneByHost)
                .reportedAs(tlsReportTerms(request.domain(), published, target, daneByHost)));
        }
        return DeliveryPlan.tryInOrder(label, plans);
    }

    /** What the sender asked, once the operator's tlsRequiredHeader has said whether the header counts. */
    private static SenderTls senderTls(DeliveryRequest request) {
        boolean headerIgnored = request.senderTls() == SenderTls.TLS_REQUIRED_NO
            && request.options().policy().tlsRequiredHeader().value() == TlsRequiredHeader.IGNORE;
        return headerIgnored ? SenderTls.NONE : request.senderTls();
    }

    /** The binding's identity and the operator's level and TLS profile, before any published policy. */
    private ConnectionPlan operatorConnection(DeliveryRequest request) throws TlsMaterialException {
        Optional<Binding> binding = request.binding();
        ResolvedTlsPolicy policy = request.options().policy();
        return new ConnectionPlan(binding.flatMap(Binding::bindAddress),
            binding.flatMap(Binding::heloName).orElse(defaultHeloName),
            StartTlsMode.forLevel(policy.tls().value()), profiles.operator(policy));
    }

    private MxPlan planMx(DeliveryRequest request, SenderTls sender, DomainPublishedPolicy published,
                          ConnectionPlan operator, MxTarget target, Map<String, DaneStatus> daneByHost) {
        try {
            switch (sender) {
                case REQUIRETLS:
                    return requireTls(request, published, operator, target, daneByHost);
                case TLS_REQUIRED_NO:
                    return tlsRequiredNo(request, operator, target);
                default:
                    return byPublishedPolicy(request, published, operator, target, daneByHost);
            }
        } catch (TlsMaterialException e) {
            return sender == SenderTls.REQUIRETLS
                ? unusableSettings(target, TlsMechanism.REQUIRETLS, TlsLevel.REQUIRED, request.domain(), e)
                : unusableSettings(target, TlsMechanism.TLS_REQUIRED_NO, request.options().policy().tls().value(),
                    request.domain(), e);
        }
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

    /** Usable DANE &gt; MTA-STS enforce &gt; the operator's policy (MTA-STS testing only observes). */
    private MxPlan byPublishedPolicy(DeliveryRequest request, DomainPublishedPolicy published, ConnectionPlan operator,
                                     MxTarget target, Map<String, DaneStatus> daneByHost) {
        String domain = request.domain();
        ResolvedTlsPolicy policy = request.options().policy();
        if (published.daneApplies()) {
            if (!published.inSecureMxSet(target.mxHost())) {
                return notInSecureMxSet(domain, published, target);
            }
            try {
                Optional<MxPlan> dane = dane(policy, domain, daneByHost.computeIfAbsent(target.mxHost(),
                    publishedPolicies::daneStatus), operator, target);
                if (dane.isPresent()) {
                    return dane.get();
                }
            } catch (TlsMaterialException e) {
                return unusableSettings(target, TlsMechanism.DANE, TlsLevel.REQUIRED, domain, e);
            }
        }
        Optional<MtaStsLookup> sts = published.mtaSts();
        if (sts.map(MtaStsLookup::isEnforce).orElse(false)) {
            if (!sts.get().matches(target.mxHost())) {
                return notInMtaStsPolicy(domain, sts.get(), target);
            }
            try {
                return MxPlan.mandatoryTls(target, TlsMechanism.MTA_STS, operator.mandatory(profiles.mtaStsEnforce(policy)),
                    sts.get().describe());
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
                return Optional.of(daneUnusable(target, status));
            default:
                // no TLSA records, or not signed: MTA-STS and the operator's policy decide
                return Optional.empty();
        }
    }

    /**
     * REQUIRETLS (RFC 8689 section 4.2.1), on top of what the domain publishes, which may still refuse the MX (a
     * forged MX, unusable TLSA data, an MX outside an enforced MTA-STS policy: temporary, as for any mail). Step 2:
     * the MX must be in the DNSSEC-validated MX RRset (dane on) or match the MTA-STS policy (enforce, or testing:
     * the MX list is authenticated over HTTPS either way). Step 4: the certificate is verified by usable DANE records,
     * else by PKIX and the MX host name (RFC 6125) against the operator's trust store, whatever tlsVerify says; the
     * operator's own trust store counts only for an MX found securely. Step 5: REQUIRETLS must be offered. No
     * fallback, no broken-TLS memory; an MX that does not qualify is refused with 5.7.30 (4.7.5 while the domain's
     * announced MTA-STS policy cannot be fetched: it may list the MX on a later try).
     */
    private MxPlan requireTls(DeliveryRequest request, DomainPublishedPolicy published, ConnectionPlan operator,
                              MxTarget target, Map<String, DaneStatus> daneByHost) throws TlsMaterialException {
        String domain = request.domain();
        ResolvedTlsPolicy policy = request.options().policy();
        Optional<DaneStatus> dane = Optional.empty();
        if (published.daneApplies()) {
            if (!published.inSecureMxSet(target.mxHost())) {
                return notInSecureMxSet(domain, published, target);
            }
            DaneStatus status = daneByHost.computeIfAbsent(target.mxHost(), publishedPolicies::daneStatus);
            if (status.isTemporaryFailure()) {
                return daneUnusable(target, status);
            }
            dane = Optional.of(status);
        }
        boolean daneAuthenticates = dane.map(DaneStatus::authenticates).orElse(false);
        Optional<MtaStsLookup> sts = published.mtaSts();
        // as for any mail: secure TLSA records, usable or not, leave MTA-STS out (RFC 8461 section 2)
        boolean daneDecides = dane.map(DaneStatus::requiresTls).orElse(false);
        if (!daneDecides && sts.map(MtaStsLookup::isEnforce).orElse(false) && !sts.get().matches(target.mxHost())) {
            return notInMtaStsPolicy(domain, sts.get(), target);
        }
        Optional<MtaStsLookup> listing = sts.filter(lookup -> (lookup.isEnforce() || lookup.isTesting())
            && lookup.matches(target.mxHost()));
        String found;
        if (dane.isPresent()) {
            found = "mx in the DNSSEC-validated MX RRset of " + domain;
        } else if (listing.isPresent()) {
            found = "mx listed by " + listing.get().describe();
        } else if (sts.map(lookup -> lookup.state() == MtaStsLookup.State.FETCH_FAILED).orElse(false)) {
            // the domain announces a policy that cannot be fetched now (and none is cached): may list the MX later
            return MxPlan.refused(target, TlsMechanism.REQUIRETLS, TlsLevel.REQUIRED, new DeliveryFailure(FailureKind.REQUIRETLS, "4.7.5",
                "REQUIRETLS: " + target + " is not found securely yet: the MX of " + domain + " is not DNSSEC-validated"
                + " and its announced MTA-STS policy could not be fetched (" + sts.get().describe() + ")"));
        } else {
            return MxPlan.refused(target, TlsMechanism.REQUIRETLS, TlsLevel.REQUIRED, new DeliveryFailure(FailureKind.REQUIRETLS,
                REQUIRETLS_STATUS, "REQUIRETLS: " + target + " was not found securely: the MX of " + domain
                + " is not DNSSEC-validated and no MTA-STS policy lists it (" + published.describe() + ")"));
        }
        TlsNegotiator verified = daneAuthenticates
            ? profiles.dane(policy, dane.get(), domain) : profiles.requireTls(policy);
        String certificate = daneAuthenticates ? "certificate by DANE " + dane.get().describe()
            : "certificate by PKIX + host name (" + policy.tlsCa().map(ca -> "tlsCa " + ca.value()).orElse("JDK trust store")
            + ")";
        return MxPlan.mandatoryTls(target, TlsMechanism.REQUIRETLS, operator.requiringTls(verified),
            found + "; " + certificate + "; REQUIRETLS offered and passed on; published: " + published.describe());
    }

    /**
     * {@code TLS-Required: No} (RFC 8689 section 5) where tlsRequiredHeader is published or all: MTA-STS and DANE
     * were not looked up. {@code published}: the operator's level and tlsVerify stand. {@code all} lowers the
     * operator's ifavailable and required: STARTTLS when offered, a failed handshake retried at once in plaintext on
     * the same MX, a certificate that fails verification recorded but used; {@code no} stays no.
     */
    private MxPlan tlsRequiredNo(DeliveryRequest request, ConnectionPlan operator, MxTarget target)
            throws TlsMaterialException {
        ResolvedTlsPolicy policy = request.options().policy();
        Decided<TlsRequiredHeader> mode = policy.tlsRequiredHeader();
        TlsLevel level = policy.tls().value();
        String header = "TLS-Required: No, tlsRequiredHeader=" + mode.value() + " [" + mode.decidedBy()
            + "]: MTA-STS and DANE not looked up";
        if (mode.value() != TlsRequiredHeader.ALL || level == TlsLevel.NO) {
            return atOperatorLevel(request, target, TlsMechanism.TLS_REQUIRED_NO, operator, header);
        }
        ConnectionPlan opportunistic = operator.withStartTlsMode(StartTlsMode.IF_OFFERED)
            .withTlsNegotiator(profiles.neverFailing(policy));
        return withBrokenTlsMemory(request, target, TlsMechanism.TLS_REQUIRED_NO, TlsLevel.IFAVAILABLE, opportunistic,
            true, header + "; tls=" + level + " tlsVerify=" + policy.tlsVerify().value()
                + " lowered: TLS when offered, plaintext at once after a failed handshake, certificate never a failure");
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
        // Momentum 4.1+ tls_ifavailable_fallback: same MX, at once, without STARTTLS
        boolean fallback = level == TlsLevel.IFAVAILABLE && request.options().tlsIfAvailableFallback();
        return withBrokenTlsMemory(request, target, mechanism, level, connection, fallback, description);
    }

    /**
     * The plan of a connection at {@code level}, with the broken-TLS memory where it may be used: an operator's
     * ifavailable whose connection just offers STARTTLS, with tlsRememberBroken on. A remembered address is planned
     * in plaintext (mechanism broken-tls); any other such plan remembers a failed handshake.
     */
    private MxPlan withBrokenTlsMemory(DeliveryRequest request, MxTarget target, TlsMechanism mechanism, TlsLevel level,
                                       ConnectionPlan connection, boolean fallback, String description) {
        ResolvedTlsPolicy policy = request.options().policy();
        Optional<ConnectionPlan> plaintextFallback = fallback
            ? Optional.of(connection.withStartTlsMode(StartTlsMode.NEVER)) : Optional.empty();
        Optional<Duration> period = policy.tlsRememberBroken().value().duration();
        if (policy.tls().value() != TlsLevel.IFAVAILABLE || connection.startTlsMode() != StartTlsMode.IF_OFFERED
            || period.isEmpty()) {
            return MxPlan.operatorLevel(target, mechanism, level, connection, plaintextFallback, description, Optional.empty());
        }
        BrokenTlsKey key = BrokenTlsKey.of(target.socketAddress().getAddress(), target.socketAddress().getPort(),
            connection.bindAddress());
        Optional<BrokenTlsEntry> remembered = brokenTls.isRemembered(key, clock.instant());
        if (remembered.isPresent()) {
            BrokenTlsEntry entry = remembered.get();
            return MxPlan.rememberedBroken(target, connection.withStartTlsMode(StartTlsMode.NEVER),
                "TLS handshake with " + entry.key() + " failed at " + entry.failedAt() + " (" + entry.failure()
                    + "), plaintext until " + entry.until() + " (tlsRememberBroken=" + policy.tlsRememberBroken().value()
                    + " [" + policy.tlsRememberBroken().decidedBy() + "]); " + mechanism.label() + ": " + description,
                BrokenTlsHandling.using(brokenTls, entry, period.get(), clock));
        }
        return MxPlan.operatorLevel(target, mechanism, level, connection, plaintextFallback, description,
            Optional.of(BrokenTlsHandling.remembering(brokenTls, key, target.mxHost(), period.get(), clock)));
    }

    /** James's own resolver does not validate: an MX it returned that the signed RRset lacks is forged. */
    private static MxPlan notInSecureMxSet(String domain, DomainPublishedPolicy published, MxTarget target) {
        return MxPlan.refused(target, TlsMechanism.DANE, TlsLevel.REQUIRED, new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
            "4.7.5", "DANE: " + target + " is not in the DNSSEC-validated MX RRset of " + domain + " ("
            + published.secureMx().orElseThrow().describe() + ")")
            .withTlsProblem(TlsProblem.mxNotInSecureMxSet(target.mxHost())));
    }

    private static MxPlan daneUnusable(MxTarget target, DaneStatus status) {
        return MxPlan.refused(target, TlsMechanism.DANE, TlsLevel.REQUIRED, new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
            "4.7.5", "DANE: TLSA lookup for " + target + " unusable: " + status.describe())
            .withTlsProblem(TlsProblem.dnssecFailed(status.describe())));
    }

    private static MxPlan notInMtaStsPolicy(String domain, MtaStsLookup sts, MxTarget target) {
        return MxPlan.refused(target, TlsMechanism.MTA_STS, TlsLevel.REQUIRED, new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5",
            "MTA-STS: " + target + " is not an MX allowed by the policy of " + domain + " (" + sts.describe() + ")")
            .withTlsProblem(TlsProblem.mxNotInStsPolicy(target.mxHost())));
    }
}
