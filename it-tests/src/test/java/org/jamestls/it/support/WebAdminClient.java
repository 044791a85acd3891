package org.jamestls.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests to James's webadmin ({@code http://127.0.0.1:}{@link TestNetwork#JAMES_WEBADMIN_PORT}). */
public final class WebAdminClient {

    /** Status code and body of one response. */
    public static final class Response {
        public final int status;
        public final String body;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /**
     * Bounded, and long enough for the slowest route on a loaded 2-core machine: POST /tls-reports?action=send mails
     * and POSTs every report before it answers (10 s timed out at a load average of 50).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public WebAdminClient(int port) {
        this("127.0.0.1", port);
    }

    public WebAdminClient(String host, int port) {
        this.baseUrl = "http://" + host + ":" + port;
    }

    /** {@code get("/mailQueues/outgoing/mails")}; any status is returned, I/O failures throw. */
    public Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET());
    }

    /** {@code delete("/tls-policy/broken/192.0.2.25")}; any status is returned, I/O failures throw. */
    public Response delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).DELETE());
    }

    /** {@code post("/tls-reports?action=send")} with an empty body; any status is returned, I/O failures throw. */
    public Response post(String pathAndQuery) {
        return send("POST", pathAndQuery, HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
            .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code put("/users/alice@x.test", "{\"password\":\"...\"}")}; any status is returned, I/O failures throw. */
    public Response put(String path, String jsonBody) {
        return send("PUT", path, HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    /** {@code patch("/mailQueues/outgoing/mails?delayed=true", "{\"delayed\": false}")} (JSON body). */
    public Response patch(String pathAndQuery, String json) {
        return send("PATCH", pathAndQuery, HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
            .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A counter's value from {@code GET /metrics} (Prometheus format; 0 while the counter does not exist yet). */
    public double metric(String name) {
        Response metrics = get("/metrics");
        if (metrics.status != 200) {
            throw new IllegalStateException("GET /metrics answered " + metrics);
        }
        Matcher matcher = Pattern.compile("(?m)^" + name + "(?:_total)?(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics.body);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private Response send(String method, String pathAndQuery, HttpRequest.Builder builder) {
        try {
            HttpResponse<String> r = http.send(builder.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + baseUrl + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + method + " " + baseUrl + pathAndQuery, e);
        }
    }
}
