package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jamestls.it.support.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RoundTripCounter}'s definition as a table, then {@link DelayProxy} over real sockets on 127.0.0.1 with
 * ephemeral ports (no fixed address, so no IT lock): round trips of a lock-step dialogue, of a pipelined group and
 * of a reply split across segments, the delays (never shorter than the model says; lower bounds only, so the
 * test cannot flake on a busy machine), byte order under backpressure, and 250 sessions open at once on one
 * proxy thread.
 */
class DelayProxyTest {

    private static final Duration RTT = Duration.ofMillis(40);
    private static final int TIMEOUT_MS = 20_000;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * Events as the proxy sees them: C = the client sent, F = the client's bytes so far reached the server, R = the
     * server sent (token: the client bytes it had), S = the oldest server bytes not yet delivered reach the client,
     * E = the client closed its side.
     */
    static Stream<Arguments> counting() {
        return Stream.of(
            Arguments.of("greeting only", "R S", 1),
            Arguments.of("lock-step: greeting, two commands", "R S C F R S C F R S", 3),
            Arguments.of("pipelined group, three segments each way", "R S C C C F R F R F R S S S", 2),
            Arguments.of("reply split across segments", "R S C F R R S S", 2),
            Arguments.of("client burst in two segments", "R S C C F R S", 2),
            Arguments.of("client speaks first", "C F R S", 1),
            Arguments.of("client bytes no reply follows", "R S C C", 1),
            Arguments.of("TLS 1.3: ChangeCipherSpec between ServerHello and the rest of the flight",
                "R S C F R R S C S C F R S", 3),
            Arguments.of("next command sent before the reply arrived (pipelined)", "R S C F R C S F R S", 2),
            Arguments.of("reply after the client closed (QUIT, close)", "R S C F E R S", 1),
            Arguments.of("reply before the client closed (QUIT, 221, close)", "R S C F R S E", 2));
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @MethodSource("counting")
    void countsRoundTripsTheClientWaitedFor(String scenario, String events, int expected) {
        RoundTripCounter counter = new RoundTripCounter();
        java.util.ArrayDeque<Long> inFlight = new java.util.ArrayDeque<>();
        long sent = 0;
        long forwarded = 0;
        for (String e : events.split(" ")) {
            switch (e) {
                case "C":
                    counter.clientSent();
                    sent++;
                    break;
                case "F":
                    counter.forwarded(sent - forwarded);
                    forwarded = sent;
                    break;
                case "R":
                    inFlight.add(counter.serverSent());
                    break;
                case "S":
                    counter.serverDelivered(inFlight.poll());
                    break;
                case "E":
                    counter.clientClosed();
                    break;
                default:
                    throw new IllegalArgumentException(e);
            }
        }
        assertThat(counter.roundTrips()).as(scenario).isEqualTo(expected);
    }

    @Test
    void lockStepDialogueCountsTheGreetingAndEachCommandAndTakesAtLeastItsRoundTrips() throws Exception {
        List<Long> countsSeenByServer = new CopyOnWriteArrayList<>();
        DelayProxy[] proxyRef = new DelayProxy[1];
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                countsSeenByServer.add(proxyRef[0].roundTripsOf((InetSocketAddress) s.getRemoteSocketAddress()));
                write(s, "250 ok " + line + "\r\n");
            }
        });
        DelayProxy proxy = proxy(RTT, server);
        proxyRef[0] = proxy;

        long start = System.nanoTime();
        try (Socket client = connect(proxy)) {
            LineReader in = new LineReader(client.getInputStream(), 1000);
            assertThat(in.readLine()).isEqualTo("220 greeting");
            assertThat(elapsed(start)).as("handshake + greeting: 2 RTT").isGreaterThanOrEqualTo(RTT.multipliedBy(2));
            for (String command : List.of("EHLO a", "MAIL FROM:<a@b>", "RCPT TO:<c@d>")) {
                long sent = System.nanoTime();
                write(client, command + "\r\n");
                assertThat(in.readLine()).isEqualTo("250 ok " + command);
                assertThat(elapsed(sent)).as(command + ": one RTT").isGreaterThanOrEqualTo(RTT);
            }
        }
        awaitClosed(proxy);
        assertThat(proxy.stats().roundTrips).as("greeting + 3 commands").isEqualTo(4);
        assertThat(countsSeenByServer).as("count the server reads as each command arrives").containsExactly(1L, 2L, 3L);
    }

    @Test
    void pipelinedGroupIsOneRoundTrip() throws Exception {
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                write(s, "250 " + line + "\r\n"); // one segment per reply
            }
        });
        DelayProxy proxy = proxy(RTT, server);
        try (Socket client = connect(proxy)) {
            LineReader in = new LineReader(client.getInputStream(), 1000);
            in.readLine();
            write(client, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n");
            for (int i = 0; i < 4; i++) {
                assertThat(in.readLine()).startsWith("250 ");
            }
        }
        awaitClosed(proxy);
        assertThat(proxy.stats().roundTrips).as("greeting + one group").isEqualTo(2);
    }

    @Test
    void replySplitAcrossSegmentsIsCountedOnce() throws Exception {
        CountDownLatch firstPartArrived = new CountDownLatch(1);
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            in.readLine();
            write(s, "250-first part\r\n");
            // the second part exists only once the client holds the first: two separate deliveries for sure
            await(firstPartArrived);
            write(s, "250 second part\r\n");
            in.readLine();
        });
        DelayProxy proxy = proxy(RTT, server);
        try (Socket client = connect(proxy)) {
            LineReader in = new LineReader(client.getInputStream(), 1000);
            in.readLine();
            write(client, "EHLO a\r\n");
            assertThat(in.readLine()).isEqualTo("250-first part");
            firstPartArrived.countDown();
            assertThat(in.readLine()).isEqualTo("250 second part");
        }
        awaitClosed(proxy);
        assertThat(proxy.stats().roundTrips).as("greeting + EHLO").isEqualTo(2);
    }

    @Test
    void zeroRttStillCountsRoundTrips() throws Exception {
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                write(s, "250 " + line + "\r\n");
            }
        });
        DelayProxy proxy = proxy(Duration.ZERO, server);
        try (Socket client = connect(proxy)) {
            LineReader in = new LineReader(client.getInputStream(), 1000);
            in.readLine();
            for (int i = 0; i < 5; i++) {
                write(client, "NOOP\r\n");
                in.readLine();
            }
        }
        awaitClosed(proxy);
        assertThat(proxy.stats().roundTrips).isEqualTo(6);
        assertThat(proxy.stats().sessionsOpened).isEqualTo(1);
    }

    @Test
    void bytesKeepTheirOrderInBothDirectionsBeyondTheWindow() throws Exception {
        int size = 1 << 20; // 16 windows
        ScriptedServer server = server(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[8192];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                out.write(buf, 0, n); // echo
            }
        });
        DelayProxy proxy = proxy(Duration.ofMillis(10), server);
        byte[] data = new byte[size];
        new Random(42).nextBytes(data);
        try (Socket client = connect(proxy)) {
            Future<?> writer = threads.submit(() -> {
                client.getOutputStream().write(data);
                client.shutdownOutput();
                return null;
            });
            byte[] echoed = client.getInputStream().readAllBytes();
            writer.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(echoed.length).isEqualTo(size);
            assertThat(Arrays.equals(echoed, data)).as("same bytes, same order").isTrue();
        }
        awaitClosed(proxy);
        assertThat(proxy.stats().bytesToServer).isEqualTo(size);
        assertThat(proxy.stats().bytesToClient).isEqualTo(size);
    }

    @Test
    void carriesTwoHundredFiftySessionsAtOnceOnOneThread() throws Exception {
        int sessions = 250;
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                write(s, "250 " + line + "\r\n");
            }
        });
        DelayProxy proxy = proxy(Duration.ofMillis(20), server);
        CountDownLatch allGreeted = new CountDownLatch(sessions);
        List<Future<String>> replies = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            int n = i;
            replies.add(threads.submit(() -> {
                try (Socket client = connect(proxy)) {
                    LineReader in = new LineReader(client.getInputStream(), 1000);
                    in.readLine();
                    allGreeted.countDown();
                    await(allGreeted); // every session is open now
                    write(client, "NOOP " + n + "\r\n");
                    return in.readLine();
                }
            }));
        }
        for (int i = 0; i < sessions; i++) {
            assertThat(replies.get(i).get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isEqualTo("250 NOOP " + i);
        }
        awaitClosed(proxy);
        DelayProxy.Stats stats = proxy.stats();
        assertThat(stats.sessionsOpened).isEqualTo(sessions);
        assertThat(stats.maxOpen).isEqualTo(sessions);
        assertThat(stats.roundTrips).isEqualTo(2L * sessions);
        long proxyThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("delay-proxy")).count();
        assertThat(proxyThreads).as("threads of the one proxy").isEqualTo(1);
    }

    @Test
    void resetRestartsTheCountersFromTheSessionsOpenNow() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            await(release);
        });
        DelayProxy proxy = proxy(Duration.ZERO, server);
        try (Socket first = connect(proxy); Socket second = connect(proxy)) {
            new LineReader(first.getInputStream(), 1000).readLine();
            new LineReader(second.getInputStream(), 1000).readLine();
            assertThat(proxy.stats().maxOpen).isEqualTo(2);
            proxy.reset();
            DelayProxy.Stats afterReset = proxy.stats();
            assertThat(afterReset.sessionsOpened).isZero();
            assertThat(afterReset.roundTrips).isZero();
            assertThat(afterReset.maxOpen).isEqualTo(2);
        } finally {
            release.countDown();
        }
        awaitClosed(proxy);
    }

    @Test
    void sessionsInUseAreThoseWhoseClientWaitsForAReplyNotTheIdleOnes() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        ScriptedServer server = server(s -> {
            write(s, "220 greeting\r\n");
            LineReader in = new LineReader(s.getInputStream(), 1000);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                await(answer); // holds every reply until the test has looked
                write(s, "250 " + line + "\r\n");
            }
        });
        DelayProxy proxy = proxy(Duration.ZERO, server);
        try (Socket busy1 = connect(proxy); Socket busy2 = connect(proxy); Socket idle = connect(proxy)) {
            List<LineReader> readers = new ArrayList<>();
            for (Socket s : List.of(busy1, busy2, idle)) {
                readers.add(new LineReader(s.getInputStream(), 1000));
                readers.get(readers.size() - 1).readLine();
            }
            proxy.reset();
            assertThat(proxy.stats().maxInUse).as("greeted, nobody waits").isZero();
            write(busy1, "MAIL FROM:<a@b>\r\n");
            write(busy2, "MAIL FROM:<c@d>\r\n");
            assertThat(Processes.await(Duration.ofSeconds(10), () -> proxy.stats().maxInUse == 2)).isTrue();
            answer.countDown();
            assertThat(readers.get(0).readLine()).startsWith("250 ");
            assertThat(readers.get(1).readLine()).startsWith("250 ");
            DelayProxy.Stats stats = proxy.stats();
            assertThat(stats.maxInUse).as("the idle session never counted").isEqualTo(2);
            assertThat(stats.maxOpen).isEqualTo(3);
        } finally {
            answer.countDown();
        }
        awaitClosed(proxy);
    }

    // ---- fixtures ----

    /** What a scripted server does with one accepted connection. */
    private interface Script {
        void run(Socket s) throws Exception;
    }

    /** A server on 127.0.0.1, an ephemeral port, a thread per connection running {@code script}. */
    private static final class ScriptedServer implements AutoCloseable {
        final ServerSocket socket;

        ScriptedServer(ServerSocket socket) {
            this.socket = socket;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private ScriptedServer server(Script script) throws IOException {
        ServerSocket ss = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        ScriptedServer server = new ScriptedServer(ss);
        resources.add(server);
        threads.submit(() -> {
            for (int i = 0; i < 10_000; i++) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (IOException e) {
                    return;
                }
                threads.submit(() -> {
                    try (s) {
                        s.setSoTimeout(TIMEOUT_MS);
                        script.run(s);
                    } catch (Exception ignored) {
                        // the client's assertions tell
                    }
                });
            }
        });
        return server;
    }

    private DelayProxy proxy(Duration rtt, ScriptedServer server) throws IOException {
        InetSocketAddress upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.socket.getLocalPort());
        DelayProxy proxy = DelayProxy.start(rtt,
            List.of(new DelayProxy.Route(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream)));
        resources.add(0, proxy);
        return proxy;
    }

    private static Socket connect(DelayProxy proxy) throws IOException {
        Socket s = new Socket();
        s.connect(proxy.listening().get(0), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        s.setTcpNoDelay(true);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("latch not released");
        }
    }

    private static void awaitClosed(DelayProxy proxy) {
        assertThat(Processes.await(Duration.ofMillis(TIMEOUT_MS), () -> proxy.stats().openNow == 0))
            .as("every proxied session closed").isTrue();
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
