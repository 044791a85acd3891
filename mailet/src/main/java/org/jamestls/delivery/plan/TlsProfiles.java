package org.jamestls.delivery.plan;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jamestls.cache.TimedCache;
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
    /**
     * DANE profiles kept at most (each holds an SSL context and its session cache); the least recently used leave
     * first, and none is kept longer than {@link #DANE_PROFILE_LIFE}, so contexts for TLSA records that changed or MX
     * hosts no longer used do not stay.
     */
    static final int MAX_DANE_PROFILES = 1_000;
    static final Duration DANE_PROFILE_LIFE = Duration.ofHours(1);

    private final TlsClientContexts contexts;
    // DANE profiles keyed by settings + MX + domain + TLSA records
    private final TimedCache<List<Object>, TlsClientProfile> daneProfiles;

    public TlsProfiles(TlsClientContexts contexts) {
        this(contexts, Clock.systemUTC());
    }

    TlsProfiles(TlsClientContexts contexts, Clock clock) {
        this.contexts = contexts;
        this.daneProfiles = TimedCache.create(MAX_DANE_PROFILES, DANE_PROFILE_LIFE, clock);
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
        Optional<TlsClientProfile> cached = daneProfiles.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        TlsClientProfile built = contexts.withTrustManager(settings, status.trustManager(domain));
        daneProfiles.put(key, built, DANE_PROFILE_LIFE);
        // deliveries racing here return the profile kept, so their pooled sessions share one key
        return daneProfiles.get(key).orElse(built);
    }

    /** DANE profiles kept now. */
    long daneProfileCount() {
        return daneProfiles.size();
    }

    /** SSL contexts built so far (one per distinct settings). */
    public int size() {
        return contexts.size();
    }
}
