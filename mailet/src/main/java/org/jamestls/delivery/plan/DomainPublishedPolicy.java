package org.jamestls.delivery.plan;

import java.util.Optional;

import org.jamestls.dane.SecureMx;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.names.HostNames;
import org.jamestls.tlsrpt.TlsProblem;

/**
 * What one domain publishes, as looked up at the start of one delivery run: its MX RRset as DNSSEC sees it
 * (when dane is on) and its MTA-STS policy (when mtaSts is on). A value; {@link DeliveryPlanner} decides what it
 * means for each MX.
 */
public final class DomainPublishedPolicy {
    private final String domain;
    private final Optional<SecureMx> secureMx;
    private final Optional<MtaStsLookup> mtaSts;

    private final boolean lookedUp;

    DomainPublishedPolicy(String domain, Optional<SecureMx> secureMx, Optional<MtaStsLookup> mtaSts) {
        this(domain, secureMx, mtaSts, true);
    }

    private DomainPublishedPolicy(String domain, Optional<SecureMx> secureMx, Optional<MtaStsLookup> mtaSts,
                                  boolean lookedUp) {
        this.domain = domain;
        this.secureMx = secureMx;
        this.mtaSts = mtaSts;
        this.lookedUp = lookedUp;
    }

    /** Nothing looked up, for a mail whose {@code TLS-Required: No} leaves published policies out. */
    static DomainPublishedPolicy notLookedUp(String domain) {
        return new DomainPublishedPolicy(domain, Optional.empty(), Optional.empty(), false);
    }

    /**
     * A failure for the whole domain before any MX is tried: with dane on, an MX RRset that is bogus or
     * cannot be looked up is a temporary failure (RFC 7672 section 2.2.1), never a silent downgrade.
     */
    public Optional<DeliveryFailure> domainFailure() {
        return secureMx.filter(SecureMx::isTemporaryFailure).map(mx -> new DeliveryFailure(FailureKind.PUBLISHED_POLICY,
            "4.7.5", "DANE: DNSSEC lookup of the MX of " + domain + " failed: " + mx.describe())
            .withTlsProblem(TlsProblem.dnssecFailed(mx.describe())));
    }

    /** DANE applies to this domain: dane on and the MX RRset validated. */
    public boolean daneApplies() {
        return secureMx.map(SecureMx::isSecure).orElse(false);
    }

    /** Whether the validated MX RRset lists this host (only meaningful when {@link #daneApplies()}). */
    public boolean inSecureMxSet(String mxHost) {
        String wanted = HostNames.normalize(mxHost);
        return secureMx.orElseThrow().hosts().stream().anyMatch(host -> HostNames.normalize(host.host()).equals(wanted));
    }

    public Optional<SecureMx> secureMx() {
        return secureMx;
    }

    public Optional<MtaStsLookup> mtaSts() {
        return mtaSts;
    }

    /** The domain's published state, e.g. {@code mta-sts none (no v=STSv1 TXT record); dane off}. */
    public String describe() {
        if (!lookedUp) {
            return "not looked up";
        }
        String sts = mtaSts.map(MtaStsLookup::describe).orElse("mta-sts off");
        String dane = secureMx.map(mx -> "dane mx " + mx.describe()).orElse("dane off");
        return sts + "; " + dane;
    }
}
