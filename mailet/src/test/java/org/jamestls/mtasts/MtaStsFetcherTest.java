package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.jamestls.testing.FakeDns;
import org.jamestls.tls.TrustContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The fetcher against an in-process HTTPS server on 127.0.0.30 whose certificate, issued by a test CA, names
 * mta-sts.fetch.test; raw TLS servers on 127.0.0.31 for responses com.sun.net.httpserver cannot produce.
 */
class MtaStsFetcherTest {
    private static final String POLICY = "version: STSv1\nmode: enforce\nmx: mx.fetch.test\nmax_age: 86400\n";
    private static final String SERVER_IP = "127.0.0.30";
    private static final String RAW_IP = "127.0.0.31";
    private static final Duration CONNECT = Duration.ofSeconds(2);
    private static final Duration TOTAL = Duration.ofSeconds(1);

    private static TestAuthority ca;
    private static TestAuthority otherCa;
    private static SSLContext serverTls;
    private static HttpsServer server;
    private static ExecutorService executor;
    private static final AtomicReference<HttpHandler> handler = new AtomicReference<>();
    private static final Map<String, String> requestHeaders = new ConcurrentHashMap<>();

    private final FakeDns dns = new FakeDns().a("mta-sts.fetch.test", SERVER_IP).a("mta-sts.other.test", SERVER_IP);

    @BeforeAll
    static void startServer() throws Exception {
        ca = TestAuthority.create("MTA-STS Test CA");
        otherCa = TestAuthority.create("Other CA");
        serverTls = ca.serverContext("mta-sts.fetch.test");
        server = HttpsServer.create(new InetSocketAddress(SERVER_IP, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/", exchange -> {
            requestHeaders.clear();
            exchange.getRequestHeaders().forEach((k, v) -> requestHeaders.put(k.toLowerCase(), String.join(",", v)));
            requestHeaders.put("request-line", exchange.getRequestMethod() + " " + exchange.getRequestURI());
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

    private MtaStsFetcher fetcher() throws Exception {
        return fetcher(ca.trustingContext(), server.getAddress().getPort());
    }

    private MtaStsFetcher fetcher(SSLContext trust, int port) {
        return new MtaStsFetcher(dns, trust, port, CONNECT, TOTAL);
    }

    private MtaStsFetcher fetcherFor(RawServer raw) throws Exception {
        dns.a("mta-sts.fetch.test", RAW_IP);
        return fetcher(ca.trustingContext(), raw.port());
    }

    private static void respond(int status, String contentType, String body) {
        handler.set(exchange -> {
            if (contentType != null) {
                exchange.getResponseHeaders().set("Content-Type", contentType);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            writeAndClose(exchange, bytes);
        });
    }

    private static void writeAndClose(HttpExchange exchange, byte[] bytes) throws IOException {
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void fetchesThePolicyWithAContentLength() throws Exception {
        respond(200, "text/plain; charset=utf-8", POLICY);

        assertThat(fetcher().fetch("fetch.test")).isEqualTo(POLICY);
        assertThat(requestHeaders).containsEntry("request-line", "GET /.well-known/mta-sts.txt")
            .containsEntry("host", "mta-sts.fetch.test").containsEntry("connection", "close");
    }

    @Test
    void domainIsNormalisedBeforeBuildingTheHostName() throws Exception {
        respond(200, "text/plain", POLICY);

        assertThat(fetcher().fetch("Fetch.Test.")).isEqualTo(POLICY);
    }

    @Test
    void fetchesAChunkedPolicy() throws Exception {
        handler.set(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0); // 0 = chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(POLICY.substring(0, 10).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                out.write(POLICY.substring(10).getBytes(StandardCharsets.US_ASCII));
            }
        });

        assertThat(fetcher().fetch("fetch.test")).isEqualTo(POLICY);
    }

    @Test
    void fetchesAPolicyEndedByClosingTheConnection() throws Exception {
        try (RawServer raw = new RawServer(out -> out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                + POLICY).getBytes(StandardCharsets.US_ASCII)))) {
            assertThat(fetcherFor(raw).fetch("fetch.test")).isEqualTo(POLICY);
        }
    }

    @Test
    void aRedirectIsNotFollowed() {
        handler.set(exchange -> {
            exchange.getResponseHeaders().set("Location", "https://elsewhere.test/mta-sts.txt");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });

        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).isInstanceOf(MtaStsFetchException.class)
            .hasMessage("mta-sts.fetch.test: HTTP 301 redirect refused (to https://elsewhere.test/mta-sts.txt)");
    }

    @Test
    void notFoundFails() {
        respond(404, "text/plain", "no policy here");

        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).hasMessage("mta-sts.fetch.test: HTTP 404");
    }

    @Test
    void anotherContentTypeFails() {
        respond(200, "text/html", "<html>" + POLICY + "</html>");

        assertThatThrownBy(() -> fetcher().fetch("fetch.test"))
            .hasMessageContaining("Content-Type is 'text/html', not text/plain");
    }

    @Test
    void aMissingContentTypeFails() {
        respond(200, null, POLICY);

        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).hasMessageContaining("Content-Type is missing");
    }

    @Test
    void exactly64KiBIsAccepted() throws Exception {
        String body = "x".repeat(MtaStsFetcher.MAX_BODY_BYTES);
        respond(200, "text/plain", body);

        assertThat(fetcher().fetch("fetch.test")).hasSize(MtaStsFetcher.MAX_BODY_BYTES);
    }

    @Test
    void aBodyOver64KiBFails() {
        respond(200, "text/plain", POLICY + "x".repeat(MtaStsFetcher.MAX_BODY_BYTES));

        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).hasMessageContaining("exceeds the limit of 65536");
    }

    @Test
    void aChunkedBodyOver64KiBFails() {
        handler.set(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 20; i++) {
                    out.write(new byte[4096]);
                    out.flush();
                }
            } catch (IOException e) {
                // the client hangs up once it has seen enough
            }
        });

        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).hasMessageContaining("exceeds the limit of 65536");
    }

    @Test
    void aBodyEndedByCloseOver64KiBFails() throws Exception {
        try (RawServer raw = new RawServer(out -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[MtaStsFetcher.MAX_BODY_BYTES + 1]);
        })) {
            assertThatThrownBy(() -> fetcherFor(raw).fetch("fetch.test"))
                .hasMessageContaining("exceeds the limit of 65536");
        }
    }

    @Test
    void aCertificateForAnotherNameFails() {
        respond(200, "text/plain", POLICY);

        assertThatThrownBy(() -> fetcher().fetch("other.test")).isInstanceOf(MtaStsFetchException.class)
            .hasMessageStartingWith("mta-sts.other.test: TLS failed:").hasMessageContaining("mta-sts.other.test");
    }

    @Test
    void aCertificateFromAnotherCaFails() throws Exception {
        respond(200, "text/plain", POLICY);

        assertThatThrownBy(() -> fetcher(otherCa.trustingContext(), server.getAddress().getPort()).fetch("fetch.test"))
            .hasMessageStartingWith("mta-sts.fetch.test: TLS failed:");
    }

    @Test
    void theJdkTrustStoreDoesNotTrustTheTestCa() throws Exception {
        respond(200, "text/plain", POLICY);

        assertThatThrownBy(() -> fetcher(TrustContexts.jdkDefault(), server.getAddress().getPort()).fetch("fetch.test"))
            .hasMessageStartingWith("mta-sts.fetch.test: TLS failed:");
    }

    @Test
    void aSlowServerTimesOut() {
        handler.set(exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });

        long start = System.nanoTime();
        assertThatThrownBy(() -> fetcher().fetch("fetch.test")).hasMessage("mta-sts.fetch.test: timed out (1s limit)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void aServerTricklingBytesCannotExceedTheTotalTime() throws Exception {
        try (RawServer raw = new RawServer(out -> {
            for (byte b : ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + POLICY).getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
                Thread.sleep(100);
            }
        })) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> fetcherFor(raw).fetch("fetch.test"))
                .hasMessageContaining("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void aNameWithoutAddressFails() {
        assertThatThrownBy(() -> fetcher().fetch("unknown.test"))
            .hasMessageStartingWith("mta-sts.unknown.test: no address");
    }

    @Test
    void aRefusedConnectionFails() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.32"))) {
            closedPort = s.getLocalPort();
        }
        dns.a("mta-sts.fetch.test", "127.0.0.32");

        assertThatThrownBy(() -> fetcher(ca.trustingContext(), closedPort).fetch("fetch.test"))
            .hasMessageStartingWith("mta-sts.fetch.test: cannot connect to 127.0.0.32:" + closedPort);
    }

    /** Writes one scripted response to each TLS connection on 127.0.0.31, then closes it. */
    private static final class RawServer implements AutoCloseable {
        interface Script {
            void write(OutputStream out) throws Exception;
        }

        private final SSLServerSocket socket;
        private final Thread thread;

        RawServer(Script script) throws IOException {
            socket = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getByName(RAW_IP));
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (SSLSocket client = (SSLSocket) socket.accept()) {
                        InputStream in = client.getInputStream();
                        int last = 0;
                        int b;
                        // read the request up to its blank line
                        while ((b = in.read()) >= 0 && !(b == '\n' && last == '\n')) {
                            if (b != '\r') {
                                last = b;
                            }
                        }
                        script.write(client.getOutputStream());
                    } catch (Exception e) {
                        // client gone or server closed
                    }
                }
            }, "raw-https");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
