package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.TestAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The https: rua upload against an in-process HTTPS server on 127.0.0.1 (ephemeral port) whose certificate, from a
 * test CA, names reports.test; the poster resolves reports.test through a fake DNSService.
 */
class HttpsReportPosterTest {
    private static final byte[] REPORT = TlsReportJson.gzip("{\"report-id\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    /** Long enough for a first TLS handshake on a loaded machine (1 s failed once there), short for the slow case. */
    private static final Duration TOTAL = Duration.ofSeconds(3);

    private static TestAuthority ca;
    private static HttpsServer server;
    private static ExecutorService executor;
    private static final AtomicReference<HttpHandler> handler = new AtomicReference<>();
    private static final Map<String, String> received = new ConcurrentHashMap<>();
    private static final AtomicReference<byte[]> body = new AtomicReference<>();

    private final FakeDns dns = new FakeDns().a("reports.test", "127.0.0.1").a("other.test", "127.0.0.1");

    @BeforeAll
    static void startServer() throws Exception {
        ca = TestAuthority.create("TLSRPT Test CA");
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext("reports.test")));
        server.createContext("/", exchange -> {
            received.clear();
            exchange.getRequestHeaders().forEach((k, v) -> received.put(k.toLowerCase(), String.join(",", v)));
            received.put("request-line", exchange.getRequestMethod() + " " + exchange.getRequestURI());
            body.set(exchange.getRequestBody().readAllBytes());
            handler.get().handle(exchange);
        });
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void answer(int status) {
        handler.set(exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
    }

    private HttpsReportPoster poster() throws Exception {
        return new HttpsReportPoster(dns, ca.trustingContext(), Duration.ofSeconds(2), TOTAL);
    }

    private static URI uri(String host, String pathAndQuery) {
        return URI.create("https://" + host + ":" + server.getAddress().getPort() + pathAndQuery);
    }

    @Test
    void postsTheGzippedReport() throws Exception {
        answer(200);

        poster().post(uri("reports.test", "/v1/tlsrpt?key=a%20b"), REPORT);

        assertThat(received).containsEntry("request-line", "POST /v1/tlsrpt?key=a%20b")
            .containsEntry("content-type", "application/tlsrpt+gzip")
            .containsEntry("content-length", String.valueOf(REPORT.length))
            .containsEntry("host", "reports.test:" + server.getAddress().getPort());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.get()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"report-id\":\"x\"}");
        }
    }

    @Test
    void anyTwoHundredIsSuccess() throws Exception {
        answer(201);
        poster().post(uri("reports.test", "/"), REPORT);
        answer(204);
        poster().post(uri("reports.test", ""), REPORT);

        assertThat(received).containsEntry("request-line", "POST /");
    }

    @Test
    void otherStatusesFail() {
        for (int status : new int[] {301, 400, 413, 500, 503}) {
            answer(status);
            assertThatThrownBy(() -> poster().post(uri("reports.test", "/r"), REPORT))
                .isInstanceOf(ReportDeliveryException.class).hasMessageEndingWith(": HTTP " + status);
        }
    }

    @Test
    void theCertificateMustNameTheHost() {
        answer(200);

        assertThatThrownBy(() -> poster().post(uri("other.test", "/r"), REPORT))
            .hasMessageContaining(": TLS failed:").hasMessageContaining("other.test");
    }

    @Test
    void theCertificateMustComeFromATrustedAuthority() throws Exception {
        answer(200);
        HttpsReportPoster untrusting = new HttpsReportPoster(dns, TestAuthority.create("Other CA").trustingContext(),
            Duration.ofSeconds(2), TOTAL);

        assertThatThrownBy(() -> untrusting.post(uri("reports.test", "/r"), REPORT)).hasMessageContaining(": TLS failed:");
    }

    @Test
    void aSlowEndpointTimesOutWithinTheTotalTime() {
        handler.set(exchange -> {
            try {
                Thread.sleep(6_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });

        long start = System.nanoTime();
        assertThatThrownBy(() -> poster().post(uri("reports.test", "/r"), REPORT)).hasMessageEndingWith("timed out (3s limit)");
        // TOTAL and a margin, not twice TOTAL (the TLS close waited for the silent peer before)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TOTAL.plusMillis(1500));
    }

    @Test
    void anUnknownHostFails() {
        assertThatThrownBy(() -> poster().post(URI.create("https://unknown.test/r"), REPORT))
            .hasMessage("https://unknown.test/r: no address (unknown.test)");
    }

    @Test
    void anOversizedReportIsNotSent() {
        answer(200);
        received.clear();

        assertThatThrownBy(() -> poster().post(uri("reports.test", "/r"), new byte[HttpsReportPoster.MAX_REPORT_BYTES + 1]))
            .hasMessageContaining("exceeds " + HttpsReportPoster.MAX_REPORT_BYTES);
        assertThat(received).isEmpty();
    }

    @Test
    void onlyHttps() {
        assertThatThrownBy(() -> poster().post(URI.create("http://reports.test/r"), REPORT))
            .hasMessageContaining("not an https URI");
    }
}
