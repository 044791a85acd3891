package org.jamestls.webadmin;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.cluster.NodeName;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.policy.Binding;
import org.jamestls.policy.EffectiveOptions;
import org.jamestls.policy.IpLiterals;
import org.jamestls.tlsrpt.TlsRptRegistry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes (register with {@code extensions.routes=org.jamestls.webadmin.TlsPolicyRoutes} in
 * webadmin.properties): {@code GET /tls-policy} shows the loaded policy, {@code GET
 * /tls-policy/effective?domain=D[&binding=B]} every option's effective value and the scope that decided it, what
 * the domain publishes, and what the planner would make of a mail to it now (plain, REQUIRETLS, TLS-Required: No),
 * {@code GET /tls-policy/broken} the remembered broken-TLS endpoints and
 * {@code DELETE /tls-policy/broken/{address}} forgets every entry of one MX address (204; 404 when none, 400 when
 * the address is not an IPv4/IPv6 literal); {@code GET /tls-reports} and
 * {@code POST /tls-reports?action=send[&includeToday=true]} the TLS reports ({@link TlsReportRoutes}). WebAdmin
 * guards only a route class's base path with its authentication filter, so this class puts the same filter in
 * front of {@code /tls-reports} itself. Every JSON object answered names the node that answered it.
 */
public class TlsPolicyRoutes implements Routes {
    public static final String BASE_PATH = "/tls-policy";
    private static final Set<String> EFFECTIVE_PARAMETERS = Set.of("domain", "binding");
    // LDH labels, optional trailing dot; length checked separately
    private static final Pattern DOMAIN = Pattern.compile(
        "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$");

    private final LoadedPolicies loadedPolicies;
    private final BrokenTlsMemory brokenTls;
    private final TlsReportRoutes reports;
    private final AuthenticationFilter authenticationFilter;
    private final ObjectMapper json = new ObjectMapper();
    private final LiveLookups lookups = LiveLookups.standard();

    @Inject
    public TlsPolicyRoutes(LoadedPolicies loadedPolicies, BrokenTlsMemory brokenTls, TlsRptRegistry reports,
                           AuthenticationFilter authenticationFilter) {
        this.loadedPolicies = loadedPolicies;
        this.brokenTls = brokenTls;
        this.reports = new TlsReportRoutes(reports);
        this.authenticationFilter = authenticationFilter;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH, this::policy);
        service.get(BASE_PATH + "/effective", this::effective);
        service.get(BASE_PATH + "/broken", this::broken);
        service.delete(BASE_PATH + "/broken/:address", this::forgetBroken);
        service.before(TlsReportRoutes.PATH, authenticationFilter);
        service.before(TlsReportRoutes.PATH + "/*", authenticationFilter);
        service.get(TlsReportRoutes.PATH, (request, response) -> render(response, reports.list(request.queryParams())));
        service.post(TlsReportRoutes.PATH, (request, response) -> render(response, reports.send(firstValues(request))));
    }

    private String broken(Request request, Response response) throws JsonProcessingException {
        if (!request.queryParams().isEmpty()) {
            return error(response, 400, "unknown query parameter '" + printable(request.queryParams().iterator().next())
                + "'; GET /tls-policy/broken takes none");
        }
        return ok(response, BrokenTlsJson.entries(brokenTls.list(Instant.now())));
    }

    private String forgetBroken(Request request, Response response) throws JsonProcessingException {
        if (!request.queryParams().isEmpty()) {
            return error(response, 400, "unknown query parameter '" + printable(request.queryParams().iterator().next())
                + "'; DELETE /tls-policy/broken/{address} takes none");
        }
        String raw = request.params("address");
        String unbracketed = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
        Optional<InetAddress> address = IpLiterals.parse(unbracketed);
        if (address.isEmpty()) {
            return error(response, 400, "'" + printable(raw) + "' is not an IP address literal; allowed: an IPv4"
                + " (192.0.2.25) or IPv6 (2001:db8::25) address, as GET /tls-policy/broken lists it");
        }
        if (brokenTls.forget(address.get()) == 0) {
            return error(response, 404, "no broken TLS remembered for " + address.get().getHostAddress());
        }
        response.status(204);
        return "";
    }

    private String render(Response response, TlsReportRoutes.Answer answer) throws JsonProcessingException {
        // several nodes answer the same route: say which one did (its policy, caches and pools are its own)
        answer.body.put("node", NodeName.current());
        response.status(answer.status);
        response.type("application/json");
        return json.writeValueAsString(answer.body);
    }

    private static Map<String, String> firstValues(Request request) {
        Map<String, String> values = new LinkedHashMap<>();
        request.queryParams().forEach(name -> values.put(name, request.queryParams(name)));
        return values;
    }

    private String policy(Request request, Response response) throws JsonProcessingException {
        Optional<LoadedPolicies.Loaded> loaded = loadedPolicies.current();
        if (loaded.isEmpty()) {
            return error(response, 503, "no TlsRemoteDelivery mailet has loaded a policy");
        }
        return ok(response, PolicyJson.policy(loaded.get()));
    }

    private String effective(Request request, Response response) throws JsonProcessingException {
        Optional<LoadedPolicies.Loaded> loaded = loadedPolicies.current();
        if (loaded.isEmpty()) {
            return error(response, 503, "no TlsRemoteDelivery mailet has loaded a policy");
        }
        for (String parameter : request.queryParams()) {
            if (!EFFECTIVE_PARAMETERS.contains(parameter)) {
                return error(response, 400, "unknown query parameter '" + parameter + "'; allowed: domain, binding");
            }
        }
        String domain = request.queryParams("domain");
        if (domain == null || domain.isBlank()) {
            return error(response, 400, "query parameter 'domain' is required, e.g. ?domain=example.com");
        }
        if (domain.length() > 253 || !DOMAIN.matcher(domain).matches()) {
            return error(response, 400, "'domain' is not a valid domain name: " + printable(domain));
        }
        Optional<Binding> binding = Optional.empty();
        String bindingName = request.queryParams("binding");
        if (bindingName != null) {
            binding = loaded.get().policy().policy().binding(bindingName);
            if (binding.isEmpty()) {
                return error(response, 404, "unknown binding '" + printable(bindingName) + "'");
            }
        }
        EffectiveOptions effective = loaded.get().policy().resolve(domain, binding);
        Map<String, Object> body = PolicyJson.effective(effective, binding);
        body.put("published", PublishedJson.of(loaded.get().published(), domain, effective.policy(), lookups));
        body.put("plans", PlanJson.of(loaded.get().planner(), new DeliveryRequest("webadmin-effective",
            effective.policy().domain(), binding, effective), lookups));
        return ok(response, body);
    }

    private String ok(Response response, Map<String, Object> body) throws JsonProcessingException {
        return render(response, new TlsReportRoutes.Answer(200, body));
    }

    private String error(Response response, int status, String message) throws JsonProcessingException {
        return render(response, TlsReportRoutes.error(status, message));
    }

    private static String printable(String value) {
        String cleaned = value.replaceAll("[^\\x20-\\x7E]", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
