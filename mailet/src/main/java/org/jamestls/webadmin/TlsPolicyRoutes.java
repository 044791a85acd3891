package org.jamestls.webadmin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.jamestls.policy.Binding;
import org.jamestls.policy.EffectiveOptions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes (register with {@code extensions.routes=org.jamestls.webadmin.TlsPolicyRoutes} in
 * webadmin.properties): {@code GET /tls-policy} shows the loaded policy, {@code GET
 * /tls-policy/effective?domain=D[&binding=B]} every option's effective value and the scope that decided it.
 */
public class TlsPolicyRoutes implements Routes {
    public static final String BASE_PATH = "/tls-policy";
    private static final Set<String> EFFECTIVE_PARAMETERS = Set.of("domain", "binding");
    // LDH labels, optional trailing dot; length checked separately
    private static final Pattern DOMAIN = Pattern.compile(
        "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$");

    private final LoadedPolicies loadedPolicies;
    private final ObjectMapper json = new ObjectMapper();
    private final LiveLookups lookups = LiveLookups.standard();

    @Inject
    public TlsPolicyRoutes(LoadedPolicies loadedPolicies) {
        this.loadedPolicies = loadedPolicies;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH, this::policy);
        service.get(BASE_PATH + "/effective", this::effective);
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
        return ok(response, body);
    }

    private String ok(Response response, Object body) throws JsonProcessingException {
        response.status(200);
        response.type("application/json");
        return json.writeValueAsString(body);
    }

    private String error(Response response, int status, String message) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("type", status == 404 ? "notFound" : status == 400 ? "InvalidArgument" : "ServerError");
        body.put("message", message);
        response.status(status);
        response.type("application/json");
        return json.writeValueAsString(body);
    }

    private static String printable(String value) {
        String cleaned = value.replaceAll("[^\\x20-\\x7E]", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
