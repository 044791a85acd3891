package org.jamestls.delivery.plan;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jamestls.dane.DaneStatus;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsVerify;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;
import org.jamestls.tls.TlsMaterialException;

/**
 * Every choice of TLS client profile a delivery can make, in one place: the operator's own settings, and what
 * MTA-STS and DANE demand on top of them. Profiles are shared per distinct settings (and per TLSA record set for
 * DANE), so pooled sessions, keyed on the profile, are reused across mails and JSSE can resume sessions.
 */
public final class TlsProfiles {
    private static final int MAX_CACHED_DANE_PROFILES = 10_000;

    private final TlsClientContexts contexts;
    // DANE profiles keyed by settings + MX + domain + TLSA records
    private final Map<List<Object>, TlsClientProfile> daneProfiles = new ConcurrentHashMap<>();

    public TlsProfiles(TlsClientContexts contexts) {
        this.contexts = contexts;
    }

    /** The operator's tlsVerify, tlsCa, client certificate, protocols and ciphers. */
    public TlsClientProfile operator(ResolvedTlsPolicy policy) throws TlsMaterialException {
        return contexts.profile(TlsClientSettings.of(policy));
    }

    /** MTA-STS enforce: the operator's settings, demanding at least PKIX + host name (RFC 8461 section 4.2). */
    public TlsClientProfile mtaStsEnforce(ResolvedTlsPolicy policy) throws TlsMaterialException {
        return contexts.profile(TlsClientSettings.of(policy).withVerify(TlsVerify.HOST));
    }

    /**
     * REQUIRETLS (RFC 8689 section 4.2.1 step 4) where no usable DANE record authenticates the MX: the operator's
     * settings (its tlsCa, else the JDK's trust store), demanding PKIX + host name as RFC 6125 says.
     */
    public TlsClientProfile requireTls(ResolvedTlsPolicy policy) throws TlsMaterialException {
        return contexts.profile(TlsClientSettings.of(policy).withVerify(TlsVerify.HOST));
    }

    /**
     * {@code TLS-Required: No} with tlsRequiredHeader {@code all}: the certificate is checked as the operator asks
     * ({@code ca}, {@code host}) but the result is only recorded ({@code optional}), never a failure; {@code no}
     * stays no.
     */
    public TlsClientProfile neverFailing(ResolvedTlsPolicy policy) throws TlsMaterialException {
        TlsClientSettings settings = TlsClientSettings.of(policy);
        return contexts.profile(settings.verify() == TlsVerify.NO ? settings : settings.withVerify(TlsVerify.OPTIONAL));
    }

    /**
     * MTA-STS testing: records what PKIX + host name would say without failing, unless the operator verifies
     * already (then the operator's settings stand).
     */
    public TlsClientProfile mtaStsTesting(ResolvedTlsPolicy policy) throws TlsMaterialException {
        TlsClientSettings settings = TlsClientSettings.of(policy);
        return contexts.profile(settings.verify() == TlsVerify.NO ? settings.withVerify(TlsVerify.OPTIONAL) : settings);
    }

    /** Usable DANE TLSA records: the peer must match one of them (names checked as RFC 7672 says for DANE-TA). */
    public TlsClientProfile dane(ResolvedTlsPolicy policy, DaneStatus status, String domain) throws TlsMaterialException {
        TlsClientSettings settings = TlsClientSettings.of(policy);
        List<Object> key = List.of(settings, status.mxHost(), domain, status.describe());
        TlsClientProfile cached = daneProfiles.get(key);
        if (cached != null) {
            return cached;
        }
        if (daneProfiles.size() > MAX_CACHED_DANE_PROFILES) {
            daneProfiles.clear();
        }
        TlsClientProfile built = contexts.withTrustManager(settings, status.trustManager(domain));
        TlsClientProfile raced = daneProfiles.putIfAbsent(key, built);
        return raced == null ? built : raced;
    }

    /** SSL contexts built so far (one per distinct settings). */
    public int size() {
        return contexts.size();
    }
}
