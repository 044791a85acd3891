package org.jamestls.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.SecureMx;
import org.jamestls.delivery.MxSecurity.Mechanism;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.tls.TlsMaterialException;

/**
 * One domain's published policies during one delivery run, and how each MX must be secured:
 * usable DANE > MTA-STS enforce > the operator's tls/tlsVerify (RFC 8461 section 2, RFC 7672 section 1.3).
 */
public final class DomainPublishedPolicy {
    private final PublishedPolicies policies;
    private final String domain;
    private final ResolvedTlsPolicy operatorPolicy;
    private final Optional<SecureMx> secureMx;
    private final boolean daneApplies;
    private final Optional<MtaStsLookup> mtaSts;
    private final Map<String, DaneStatus> daneByHost = new HashMap<>();

    DomainPublishedPolicy(PublishedPolicies policies, String domain, ResolvedTlsPolicy operatorPolicy,
                          Optional<SecureMx> secureMx, boolean daneApplies, Optional<MtaStsLookup> mtaSts) {
        this.policies = policies;
        this.domain = domain;
        this.operatorPolicy = operatorPolicy;
        this.secureMx = secureMx;
        this.daneApplies = daneApplies;
        this.mtaSts = mtaSts;
    }

    /**
     * A failure for the whole domain before any MX is tried: with dane on, an MX RRset that is bogus or
     * cannot be looked up is a temporary failure (RFC 7672 section 2.2.1), never a silent downgrade.
     */
    public Optional<DeliveryFailure> domainFailure() {
        return secureMx.filter(SecureMx::isTemporaryFailure).map(mx -> new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
            "4.7.5", "DANE: DNSSEC lookup of the MX of " + domain + " failed: " + mx.describe()));
    }

    public MxSecurity forMx(MxTarget target) {
        try {
            if (daneApplies && !inSecureMxSet(target.mxHost())) {
                // James's own resolver does not validate: an MX it returned that the signed RRset lacks is forged
                return MxSecurity.refused(Mechanism.DANE, new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5",
                    "DANE: " + target + " is not in the DNSSEC-validated MX RRset of " + domain + " ("
                        + secureMx.get().describe() + ")"));
            }
            if (daneApplies) {
                DaneStatus status = daneByHost.computeIfAbsent(target.mxHost(), policies::daneStatus);
                Optional<MxSecurity> dane = dane(status, target);
                if (dane.isPresent()) {
                    return dane.get();
                }
            }
            if (mtaSts.map(MtaStsLookup::isEnforce).orElse(false)) {
                return enforce(mtaSts.get(), target);
            }
            if (mtaSts.map(MtaStsLookup::isTesting).orElse(false)) {
                MtaStsLookup sts = mtaSts.get();
                String match = sts.matches(target.mxHost()) ? "mx matches" : "mx " + target.mxHost() + " NOT in policy";
                return MxSecurity.observed(Mechanism.MTA_STS, policies.observingHost(operatorPolicy),
                    sts.describe() + "; testing only, " + match);
            }
        } catch (TlsMaterialException e) {
            return MxSecurity.refused(Mechanism.POLICY, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
                "TLS settings for " + domain + " are unusable: " + e.getMessage()));
        }
        return MxSecurity.operatorPolicy(describe());
    }

    private boolean inSecureMxSet(String mxHost) {
        String wanted = normalized(mxHost);
        return secureMx.get().hosts().stream().anyMatch(host -> normalized(host.host()).equals(wanted));
    }

    private static String normalized(String host) {
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private Optional<MxSecurity> dane(DaneStatus status, MxTarget target) throws TlsMaterialException {
        switch (status.kind()) {
            case USABLE:
                return Optional.of(MxSecurity.required(Mechanism.DANE, policies.daneProfile(operatorPolicy, status, domain),
                    status.describe()));
            case SECURE_NO_USABLE:
                // RFC 7672 section 2.2: TLS is still mandatory, authenticated as the operator asks
                return Optional.of(MxSecurity.requiredWithOperatorTls(Mechanism.DANE,
                    status.describe() + " (mandatory TLS)"));
            case BOGUS:
            case FAILED:
                return Optional.of(MxSecurity.refused(Mechanism.DANE, new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
                    "4.7.5", "DANE: TLSA lookup for " + target + " unusable: " + status.describe())));
            default:
                return Optional.empty();
        }
    }

    private MxSecurity enforce(MtaStsLookup sts, MxTarget target) throws TlsMaterialException {
        if (!sts.matches(target.mxHost())) {
            return MxSecurity.refused(Mechanism.MTA_STS, new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5",
                "MTA-STS: " + target + " is not an MX allowed by the policy of " + domain + " (" + sts.describe() + ")"));
        }
        return MxSecurity.required(Mechanism.MTA_STS, policies.hostVerifying(operatorPolicy), sts.describe());
    }

    /** The domain's published state, e.g. {@code mta-sts=none dane=insecure}. */
    public String describe() {
        String sts = mtaSts.map(MtaStsLookup::describe).orElse("mta-sts off");
        String dane = secureMx.map(mx -> "dane mx " + mx.describe()).orElse("dane off");
        return sts + "; " + dane;
    }
}
