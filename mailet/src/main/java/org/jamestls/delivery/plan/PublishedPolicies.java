package org.jamestls.delivery.plan;

import java.util.Optional;

import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.SecureMx;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.ResolvedTlsPolicy;

/**
 * Looks up what receiving domains publish (MTA-STS, DANE), for the domains whose scope turns each on. Either
 * source may be absent (no scope turns it on); both cache. Only looks things up: what the answers mean for a
 * delivery is {@link DeliveryPlanner}'s to decide, and WebAdmin words them for operators.
 */
public final class PublishedPolicies {
    private final Optional<MtaStsPolicySource> mtaSts;
    private final Optional<DaneLookup> dane;
    private final int smtpPort;

    public PublishedPolicies(Optional<MtaStsPolicySource> mtaSts, Optional<DaneLookup> dane, int smtpPort) {
        this.mtaSts = mtaSts;
        this.dane = dane;
        this.smtpPort = smtpPort;
    }

    /** None at all: every MX follows the operator's policy. */
    public static PublishedPolicies none(int smtpPort) {
        return new PublishedPolicies(Optional.empty(), Optional.empty(), smtpPort);
    }

    /** The domain's published state for one delivery run, under {@code policy}'s mtaSts and dane options. */
    public DomainPublishedPolicy forDomain(String domain, ResolvedTlsPolicy policy) {
        return new DomainPublishedPolicy(domain, daneMx(domain, policy), mtaSts(domain, policy));
    }

    /** The domain's MTA-STS policy, when its scope has mtaSts on. */
    public Optional<MtaStsLookup> mtaSts(String domain, ResolvedTlsPolicy policy) {
        return policy.mtaSts().value().isOn() ? mtaSts.map(source -> source.lookup(domain)) : Optional.empty();
    }

    /** The domain's MX RRset as DNSSEC validates it, when its scope has dane on. */
    public Optional<SecureMx> daneMx(String domain, ResolvedTlsPolicy policy) {
        return policy.dane().value().isOn() ? dane.map(lookup -> lookup.mx(domain)) : Optional.empty();
    }

    /** What DANE requires for one MX host of a domain whose MX RRset is secure. */
    public DaneStatus daneStatus(String mxHost) {
        return dane.orElseThrow().forMx(mxHost, smtpPort);
    }

    /** The DNSSEC resolver DANE lookups go to, when DANE is on in some scope. */
    public Optional<String> daneResolver() {
        return dane.map(lookup -> lookup.resolver().serverDescription());
    }
}
