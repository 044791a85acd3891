package org.jamestls.webadmin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.jamestls.policy.Binding;
import org.jamestls.policy.LoadedPolicies;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.tlsrpt.TlsRptRegistry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes (register with {@code extensions.routes=org.jamestls.webadmin.TlsPolicyRoutes} in
 * webadmin.properties): {@code GET /tls-policy} shows the loaded policy, {@code GET
 * /tls-policy/effective?domain=D[&binding=B]} every option's effective value and the scope that decided it;
 * {@code GET /tls-reports} and {@code POST /tls-reports?action=send[&includeToday=true]} the TLS reports
 * ({@link TlsReportRoutes}). WebAdmin guards only a route class's base path with its authentication filter, so
 * this class puts the same filter in front of {@code /tls-reports} itself.
 */
public class TlsPolicyRoutes implements Routes {
    public static final String BASE_PATH = "/tls-policy";
    private static final Set<String> EFFECTIVE_PARAMETERS = Set.of("domain", "binding");
    // LDH labels, optional trailing dot; length checked separately
    private static final Pattern DOMAIN = Pattern.compile(
        "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$");

    private final LoadedPolicies loadedPolicies;
    private final TlsReportRoutes reports;
    private final AuthenticationFilter authenticationFilter;
    private final ObjectMapper json = new ObjectMapper();

    @Inject
    public TlsPolicyRoutes(LoadedPolicies loadedPolicies, TlsRptRegistry reports, AuthenticationFilter authenticationFilter) {
        this.loadedPolicies = loadedPolicies;
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
        service.before(TlsReportRoutes.PATH, authenticationFilter);
        service.before(TlsReportRoutes.PATH + "/*", authenticationFilter);
        service.get(TlsReportRoutes.PATH, (request, response) -> render(response, reports.list(request.queryParams())));
        service.post(TlsReportRoutes.PATH, (request, response) -> render(response, reports.send(firstValues(request))));
    }

    private String render(Response response, TlsReportRoutes.Answer answer) throws JsonProcessingException {
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
            binding = loaded.get().policy().binding(bindingName);
            if (binding.isEmpty()) {
                return error(response, 404, "unknown binding '" + printable(bindingName) + "'");
            }
        }
        ResolvedTlsPolicy resolved = loaded.get().policy().resolve(domain, binding);
        Map<String, Object> body = PolicyJson.effective(resolved, binding, loaded.get().ifAvailableFallbackDefault());
        // what the domain publishes (MTA-STS, DANE): live lookups, served from their caches when fresh
        loadedPolicies.published().ifPresent(inspector -> body.put("published", inspector.inspect(domain, resolved)));
        return ok(response, body);
    }

    private String ok(Response response, Object body) throws JsonProcessingException {
        response.status(200);
        response.type("application/json");
        return json.writeValueAsString(body);
    }

    private String error(Response response, int status, String message) throws JsonProcessingException {
        return render(response, TlsReportRoutes.error(status, message));
    }

    private static String printable(String value) {
        String cleaned = value.replaceAll("[^\\x20-\\x7E]", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
