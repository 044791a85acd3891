package org.jamestls.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.SecureMx;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.PublishedPolicyInspector;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsVerify;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;
import org.jamestls.tls.TlsMaterialException;

/**
 * Looks up what receiving domains publish (MTA-STS, DANE) for the domains whose scope turns it on, and
 * builds the TLS profiles those policies demand. Either mechanism may be absent (not configured).
 */
public final class PublishedPolicies implements PublishedPolicyInspector {
    private static final int MAX_CACHED_PROFILES = 10_000;

    private final Optional<MtaStsPolicySource> mtaSts;
    private final Optional<DaneLookup> dane;
    private final TlsClientContexts contexts;
    private final int smtpPort;
    // DANE profiles keyed by settings + MX + TLSA records, so pooled sessions can be reused across mails
    private final Map<List<Object>, TlsClientProfile> daneProfiles = new ConcurrentHashMap<>();

    public PublishedPolicies(Optional<MtaStsPolicySource> mtaSts, Optional<DaneLookup> dane, TlsClientContexts contexts,
                             int smtpPort) {
        this.mtaSts = mtaSts;
        this.dane = dane;
        this.contexts = contexts;
        this.smtpPort = smtpPort;
    }

    /** None at all: every MX follows the operator's policy. */
    public static PublishedPolicies none(TlsClientContexts contexts, int smtpPort) {
        return new PublishedPolicies(Optional.empty(), Optional.empty(), contexts, smtpPort);
    }

    /** The domain's published state, looked up once per delivery run (both sources cache). */
    public DomainPublishedPolicy forDomain(String domain, ResolvedTlsPolicy policy) {
        Optional<SecureMx> secureMx = policy.dane().value().isOn() ? dane.map(lookup -> lookup.mx(domain)) : Optional.empty();
        boolean daneApplies = secureMx.map(SecureMx::isSecure).orElse(false);
        Optional<MtaStsLookup> sts = policy.mtaSts().value().isOn() ? mtaSts.map(source -> source.lookup(domain)) : Optional.empty();
        return new DomainPublishedPolicy(this, domain, policy, secureMx, daneApplies, sts);
    }

    /** MTA-STS and DANE state of the domain (cached policy, secure MX, TLSA per MX host), for WebAdmin. */
    @Override
    public Map<String, Object> inspect(String domain, ResolvedTlsPolicy policy) {
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, Object> sts = new LinkedHashMap<>();
        sts.put("enabled", policy.mtaSts().value().isOn());
        if (policy.mtaSts().value().isOn() && mtaSts.isPresent()) {
            MtaStsLookup lookup = mtaSts.get().lookup(domain);
            sts.put("state", lookup.state().name());
            lookup.policy().ifPresent(p -> {
                sts.put("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT));
                sts.put("mx", p.mxPatterns());
                sts.put("maxAge", p.maxAge().getSeconds());
            });
            lookup.policyId().ifPresent(id -> sts.put("id", id));
            sts.put("fromCache", lookup.fromCache());
            sts.put("description", lookup.describe());
        }
        json.put("mtaSts", sts);
        Map<String, Object> daneJson = new LinkedHashMap<>();
        daneJson.put("enabled", policy.dane().value().isOn());
        if (policy.dane().value().isOn() && dane.isPresent()) {
            SecureMx mx = dane.get().mx(domain);
            daneJson.put("mxStatus", mx.kind().name());
            daneJson.put("mx", mx.describe());
            List<Map<String, Object>> hosts = new ArrayList<>();
            if (mx.isSecure()) {
                mx.hosts().forEach(host -> {
                    DaneStatus status = daneStatus(host.host());
                    Map<String, Object> h = new LinkedHashMap<>();
                    h.put("host", host.host());
                    h.put("tlsa", status.kind().name());
                    h.put("records", status.records().stream().map(Object::toString).collect(Collectors.toList()));
                    h.put("description", status.describe());
                    hosts.add(h);
                });
            }
            daneJson.put("hosts", hosts);
            daneJson.put("resolver", dane.get().resolver().serverDescription());
        }
        json.put("dane", daneJson);
        return json;
    }

    public Optional<MtaStsPolicySource> mtaSts() {
        return mtaSts;
    }

    public Optional<DaneLookup> dane() {
        return dane;
    }

    DaneStatus daneStatus(String mxHost) {
        return dane.orElseThrow().forMx(mxHost, smtpPort);
    }

    /** The operator's settings, demanding at least PKIX + host name (MTA-STS enforce, RFC 8461 section 4.2). */
    TlsClientProfile hostVerifying(ResolvedTlsPolicy policy) throws TlsMaterialException {
        return contexts.profile(TlsClientSettings.of(policy).withVerify(TlsVerify.HOST));
    }

    /** Records what PKIX + host name would say without failing (MTA-STS testing), unless the operator verifies already. */
    TlsClientProfile observingHost(ResolvedTlsPolicy policy) throws TlsMaterialException {
        TlsClientSettings settings = TlsClientSettings.of(policy);
        return contexts.profile(settings.verify() == TlsVerify.NO ? settings.withVerify(TlsVerify.OPTIONAL) : settings);
    }

    TlsClientProfile daneProfile(ResolvedTlsPolicy policy, DaneStatus status, String domain) throws TlsMaterialException {
        TlsClientSettings settings = TlsClientSettings.of(policy);
        List<Object> key = List.of(settings, status.mxHost(), domain, status.describe());
        TlsClientProfile cached = daneProfiles.get(key);
        if (cached != null) {
            return cached;
        }
        if (daneProfiles.size() > MAX_CACHED_PROFILES) {
            daneProfiles.clear();
        }
        TlsClientProfile built = contexts.withTrustManager(settings, status.trustManager(domain));
        TlsClientProfile raced = daneProfiles.putIfAbsent(key, built);
        return raced == null ? built : raced;
    }
}
