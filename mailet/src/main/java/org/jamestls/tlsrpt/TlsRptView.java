package org.jamestls.tlsrpt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The counters not yet reported, as JSON for WebAdmin: per period (start, end, running or finished, dropped
 * counts) and policy domain, the {@code policies} array exactly as the report will carry it, and for finished
 * periods where the domain's report stands.
 */
final class TlsRptView {
    private TlsRptView() {
    }

    static Map<String, Object> unreported(TlsRptStore store) {
        List<Object> periods = new ArrayList<>();
        for (PeriodSnapshot snapshot : store.snapshots()) {
            Map<String, DomainDelivery> deliveries = deliveries(store, snapshot);
            Map<String, Object> domains = new LinkedHashMap<>();
            snapshot.domains().values().forEach(domain -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("policies", TlsReportJson.policies(domain));
                Optional.ofNullable(deliveries.get(domain.policyDomain())).ifPresent(delivery -> d.put("report", delivery(delivery)));
                domains.put(domain.policyDomain(), d);
            });
            Map<String, Object> period = new LinkedHashMap<>();
            period.put("start-datetime", snapshot.period().start().toString());
            period.put("end-datetime", snapshot.period().reportedEnd().toString());
            period.put("running", snapshot.isRunning());
            period.put("dropped-sessions", snapshot.droppedSessions());
            period.put("dropped-failure-details", snapshot.droppedDetails());
            period.put("domains", domains);
            periods.add(period);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("periods", periods);
        return root;
    }

    private static Map<String, DomainDelivery> deliveries(TlsRptStore store, PeriodSnapshot snapshot) {
        if (snapshot.isRunning()) {
            return Map.of();
        }
        try {
            return store.journal(snapshot.period()).all();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** What a send run did, for the answer to {@code POST /tls-reports?action=send}. */
    static List<Object> outcomes(List<TlsRptSender.Outcome> outcomes) {
        List<Object> json = new ArrayList<>();
        for (TlsRptSender.Outcome outcome : outcomes) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("start-datetime", outcome.period().start().toString());
            entry.put("end-datetime", outcome.period().reportedEnd().toString());
            entry.put("policy-domain", outcome.delivery().policyDomain());
            entry.put("report", delivery(outcome.delivery()));
            json.add(entry);
        }
        return json;
    }

    static Map<String, Object> delivery(DomainDelivery delivery) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", delivery.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        json.put("report-id", delivery.reportId());
        delivery.nextAttempt().ifPresent(next -> json.put("next-attempt", next.toString()));
        delivery.note().ifPresent(note -> json.put("note", note));
        Map<String, Object> destinations = new LinkedHashMap<>();
        delivery.destinations().forEach((rua, d) -> {
            Map<String, Object> destination = new LinkedHashMap<>();
            destination.put("state", d.state().name().toLowerCase(java.util.Locale.ROOT));
            destination.put("attempts", d.attempts());
            d.nextAttempt().ifPresent(next -> destination.put("next-attempt", next.toString()));
            d.lastError().ifPresent(error -> destination.put("last-error", error));
            destinations.put(rua, destination);
        });
        json.put("destinations", destinations);
        return json;
    }
}
