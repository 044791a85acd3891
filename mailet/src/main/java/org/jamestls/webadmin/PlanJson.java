package org.jamestls.webadmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.MxPlan;
import org.jamestls.delivery.plan.SenderTls;
import org.jamestls.delivery.outcome.MxSecurity;

/**
 * What the mailet's planner would decide now for a mail to the domain, as the effective route's {@code plans}
 * object: one plan per kind of mail ({@code none}: the sender asked nothing, {@code requiretls}, {@code
 * tls-required-no}), each the domain's failure or every MX address with its mechanism (which shows when REQUIRETLS,
 * TLS-Required: No or a remembered broken TLS decided), effective level, STARTTLS mode, refusal, fallback and
 * broken-TLS memory. Planning looks DNS, MTA-STS and DANE up like a delivery (from their caches when fresh) and
 * connects nowhere; bounded like the published object ({@link LiveLookups}).
 */
final class PlanJson {
    private PlanJson() {
    }

    /** Each plan within the request's lookup budget (as the published object's): one that does not finish says so. */
    static Map<String, Object> of(DeliveryPlanner planner, DeliveryRequest request, LiveLookups lookups) {
        LiveLookups.Deadline deadline = lookups.deadline();
        Map<String, Object> json = new LinkedHashMap<>();
        for (SenderTls asked : SenderTls.values()) {
            LiveLookups.Result<DeliveryPlan> planned = deadline.run(() -> planner.plan(request.withSenderTls(asked)));
            Map<String, Object> one = planned.value().map(PlanJson::plan).orElseGet(LinkedHashMap::new);
            planned.unfinished().ifPresent(reason -> one.put("lookup", reason));
            json.put(asked.label(), one);
        }
        return json;
    }

    private static Map<String, Object> plan(DeliveryPlan plan) {
        Map<String, Object> json = new LinkedHashMap<>();
        plan.domainFailure().ifPresent(failure -> {
            json.put("domainFailure", failure.failure().toString());
            security(json, failure.security());
        });
        List<Map<String, Object>> mxPlans = new ArrayList<>();
        for (MxPlan mx : plan.mxPlans()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("mx", mx.target().toString());
            security(one, mx.security());
            mx.refusal().ifPresent(refusal -> one.put("refused", refusal.toString()));
            mx.connection().ifPresent(connection -> connection(one, connection));
            one.put("plaintextFallback", mx.plaintextFallback().isPresent());
            mx.brokenTls().ifPresent(broken -> {
                one.put("rememberBrokenTls", true);
                broken.used().ifPresent(entry -> one.put("brokenTls", BrokenTlsJson.entry(entry)));
            });
            mxPlans.add(one);
        }
        json.put("mx", mxPlans);
        return json;
    }

    private static void security(Map<String, Object> json, MxSecurity security) {
        json.put("mechanism", security.mechanism().label());
        json.put("effectiveTls", security.effectiveLevel().configName());
        json.put("published", security.published());
    }

    private static void connection(Map<String, Object> json, ConnectionPlan connection) {
        json.put("startTls", connection.startTlsMode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        json.put("requireTls", connection.requireTls());
    }
}
