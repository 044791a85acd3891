package org.jamestls.delivery.outcome;

import java.util.Objects;

import org.jamestls.policy.TlsLevel;

/**
 * How an MX is secured, as reported: the mechanism that decided it, the level the connection really uses (a
 * published policy only ever raises the operator's), and what the receiving domain publishes. For a failure of
 * the whole domain (DNS, a bogus DNSSEC MX answer) it describes the domain's MX set. Immutable.
 */
public final class MxSecurity {
    private final TlsMechanism mechanism;
    private final TlsLevel effectiveLevel;
    private final String published;

    public MxSecurity(TlsMechanism mechanism, TlsLevel effectiveLevel, String published) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.effectiveLevel = Objects.requireNonNull(effectiveLevel, "effectiveLevel");
        this.published = Objects.requireNonNull(published, "published");
    }

    /** Nothing published was looked at (the MX could not even be resolved): the operator's level, {@code none}. */
    public static MxSecurity operatorOnly(TlsLevel operatorLevel) {
        return new MxSecurity(TlsMechanism.POLICY, operatorLevel, "none");
    }

    public TlsMechanism mechanism() {
        return mechanism;
    }

    public TlsLevel effectiveLevel() {
        return effectiveLevel;
    }

    /** E.g. {@code mta-sts: mta-sts enforce id=1 mx=[*.example.net] max_age=604800 (fetched)}. */
    public String published() {
        return published;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MxSecurity)) {
            return false;
        }
        MxSecurity other = (MxSecurity) o;
        return mechanism == other.mechanism && effectiveLevel == other.effectiveLevel && published.equals(other.published);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, effectiveLevel, published);
    }

    @Override
    public String toString() {
        return "mechanism=" + mechanism.label() + " effectiveTls=" + effectiveLevel.configName() + " published=[" + published + "]";
    }
}
