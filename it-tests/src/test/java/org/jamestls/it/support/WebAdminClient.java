package org.jamestls.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GET (and PATCH) requests to James's webadmin ({@code http://127.0.0.1:}{@link TestNetwork#JAMES_WEBADMIN_PORT}). */
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

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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
        return send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(TIMEOUT).GET().build(),
            pathAndQuery);
    }

    /** {@code patch("/mailQueues/outgoing/mails?delayed=true", "{\"delayed\": false}")} (JSON body). */
    public Response patch(String pathAndQuery, String json) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build(), pathAndQuery);
    }

    private Response send(HttpRequest request, String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + baseUrl + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + request.method() + " " + baseUrl + pathAndQuery, e);
        }
    }
}
