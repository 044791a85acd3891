package org.jamestls.webadmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jamestls.dane.DaneStatus;
import org.jamestls.dane.SecureMx;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.mtasts.MtaStsLookup;
import org.jamestls.policy.ResolvedTlsPolicy;

/**
 * What a receiving domain publishes, as the effective route's {@code published} object: its MTA-STS state
 * (mode, id, MX patterns, max_age, whether it came from the cache) and DANE state (MX status, TLSA per MX host),
 * from live lookups served from their caches when fresh. The lookups run within one time budget and for at most
 * {@link LiveLookups#MAX_MX_HOSTS} MX hosts ({@link LiveLookups}); what did not finish says so in a {@code lookup}
 * field, hosts past the bound are counted in {@code hostsOmitted}.
 */
final class PublishedJson {
    private PublishedJson() {
    }

    static Map<String, Object> of(PublishedPolicies published, String domain, ResolvedTlsPolicy policy,
                                  LiveLookups lookups) {
        LiveLookups.Deadline deadline = lookups.deadline();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mtaSts", mtaSts(policy, deadline.run(() -> published.mtaSts(domain, policy))));
        json.put("dane", dane(published, policy, deadline, deadline.run(() -> published.daneMx(domain, policy))));
        return json;
    }

    private static Map<String, Object> mtaSts(ResolvedTlsPolicy policy, LiveLookups.Result<Optional<MtaStsLookup>> result) {
        Map<String, Object> sts = new LinkedHashMap<>();
        sts.put("enabled", policy.mtaSts().value().isOn());
        result.unfinished().ifPresent(reason -> sts.put("lookup", reason));
        result.value().flatMap(found -> found).ifPresent(lookup -> {
            sts.put("state", lookup.state().name());
            lookup.policy().ifPresent(p -> {
                sts.put("mode", p.mode().name().toLowerCase(Locale.ROOT));
                sts.put("mx", p.mxPatterns());
                sts.put("maxAge", p.maxAge().getSeconds());
            });
            lookup.policyId().ifPresent(id -> sts.put("id", id));
            sts.put("fromCache", lookup.fromCache());
            sts.put("description", lookup.describe());
        });
        return sts;
    }

    private static Map<String, Object> dane(PublishedPolicies published, ResolvedTlsPolicy policy,
                                            LiveLookups.Deadline deadline, LiveLookups.Result<Optional<SecureMx>> result) {
        Map<String, Object> dane = new LinkedHashMap<>();
        dane.put("enabled", policy.dane().value().isOn());
        result.unfinished().ifPresent(reason -> dane.put("lookup", reason));
        result.value().flatMap(found -> found).ifPresent(mx -> {
            dane.put("mxStatus", mx.kind().name());
            dane.put("mx", mx.describe());
            List<Map<String, Object>> hosts = new ArrayList<>();
            if (mx.isSecure()) {
                mx.hosts().stream().limit(LiveLookups.MAX_MX_HOSTS).forEach(host ->
                    hosts.add(host(host.host(), deadline.run(() -> published.daneStatus(host.host())))));
                if (mx.hosts().size() > LiveLookups.MAX_MX_HOSTS) {
                    dane.put("hostsOmitted", mx.hosts().size() - LiveLookups.MAX_MX_HOSTS);
                }
            }
            dane.put("hosts", hosts);
            published.daneResolver().ifPresent(resolver -> dane.put("resolver", resolver));
        });
        return dane;
    }

    private static Map<String, Object> host(String host, LiveLookups.Result<DaneStatus> result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("host", host);
        result.unfinished().ifPresent(reason -> json.put("lookup", reason));
        result.value().ifPresent(status -> {
            json.put("tlsa", status.kind().name());
            json.put("records", status.records().stream().map(Object::toString).collect(Collectors.toList()));
            json.put("description", status.describe());
        });
        return json;
    }
}
