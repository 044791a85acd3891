package org.jamestls.webadmin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamestls.tlsrpt.TlsRptRegistry;
import org.jamestls.tlsrpt.TlsRptService;

/**
 * The TLS report routes, answered from the running {@link TlsRptService} (registered by the mailet):
 * {@code GET /tls-reports} (the counters not yet reported, per period and policy domain) and
 * {@code POST /tls-reports?action=send[&includeToday=true]} (send every finished period's reports not yet sent,
 * now; with includeToday, today's counts so far too, as a report ending now). Kept free of Spark so the answers
 * are unit-tested; {@link TlsPolicyRoutes} mounts them.
 */
final class TlsReportRoutes {
    static final String PATH = "/tls-reports";
    private static final Set<String> SEND_PARAMETERS = Set.of("action", "includeToday");

    /** A status and a JSON body (a copy the caller may add to: TlsPolicyRoutes adds the answering node). */
    static final class Answer {
        final int status;
        final Map<String, Object> body;

        Answer(int status, Map<String, Object> body) {
            this.status = status;
            this.body = new LinkedHashMap<>(body);
        }
    }

    private final TlsRptRegistry registry;

    TlsReportRoutes(TlsRptRegistry registry) {
        this.registry = registry;
    }

    Answer list(Set<String> parameters) {
        if (!parameters.isEmpty()) {
            return error(400, "unknown query parameter '" + parameters.iterator().next() + "'; GET /tls-reports takes none");
        }
        Optional<TlsRptService> service = registry.current();
        if (service.isEmpty()) {
            return notRunning();
        }
        return new Answer(200, service.get().unreported());
    }

    /** @param parameters the query parameters, each with its (first) value */
    Answer send(Map<String, String> parameters) {
        for (String name : parameters.keySet()) {
            if (!SEND_PARAMETERS.contains(name)) {
                return error(400, "unknown query parameter '" + name + "'; allowed: action, includeToday");
            }
        }
        String action = parameters.get("action");
        if (!"send".equals(action)) {
            return error(400, action == null ? "query parameter 'action' is required: ?action=send"
                : "unknown action '" + action + "'; allowed: send");
        }
        String includeToday = parameters.getOrDefault("includeToday", "false");
        if (!includeToday.equals("true") && !includeToday.equals("false")) {
            return error(400, "'includeToday' must be true or false, not '" + includeToday + "'");
        }
        Optional<TlsRptService> service = registry.current();
        if (service.isEmpty()) {
            return notRunning();
        }
        return new Answer(200, service.get().sendNow(Boolean.parseBoolean(includeToday)));
    }

    private static Answer notRunning() {
        return error(503, "TLS reporting is not running: tlsRpt is off in every scope of the policy, or no "
            + "TlsRemoteDelivery mailet runs it");
    }

    static Answer error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("type", status == 404 ? "notFound" : status == 400 ? "InvalidArgument" : "ServerError");
        body.put("message", message.replaceAll("[^\\x20-\\x7E]", "?"));
        return new Answer(status, body);
    }
}
