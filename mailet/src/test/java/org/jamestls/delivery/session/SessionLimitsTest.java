package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.Await;
import org.jamestls.testing.ConnectionGauge;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The node's limit ({@code maxConcurrentDeliveries}: deliveries at once and sessions open at once) and the host's
 * ({@code maxConnectionsPerHost}) under real concurrency: the delivery workers take mails from a queue and deliver
 * them through the session pool to scripted receivers that hold each final dot for 250 ms, so sessions stay busy and
 * the limits are reached. The receivers count the connections open at once (a session counts until its QUIT is read,
 * before the 221 lets the client open the next). A mail waiting for a slot is delivered when one frees; none is lost.
 */
class SessionLimitsTest {
    private static final Duration HOLD = Duration.ofMillis(250);

    private static String deliveryThreads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("tls-delivery")) {
                dump.append("\n").append(thread.getName()).append(" ").append(thread.getState());
                for (int i = 0; i < Math.min(25, stack.length); i++) {
                    dump.append("\n    at ").append(stack[i]);
                }
            }
        });
        return dump.toString();
    }

    @ParameterizedTest(name = "node {0}, host {1}, {2} receivers, {3} mails, {4} per session: at most {5} per receiver, {6} in all")
    @CsvSource({
        // node limit, host limit, receivers, mails, mails per session, max at once per receiver, max at once in all
        "4,  20, 1, 24, 1,  4, 4",   // the node's limit binds before the host's
        "10, 3,  1, 30, 10, 3, 3",   // the host's: 7 deliveries wait for a slot (reused sessions)
        "4,  3,  2, 24, 1,  3, 4",   // the node's across two hosts
        "12, 3,  3, 36, 10, 3, 9",   // each host at its own limit, the node below its own
    })
    void neverMoreSessionsAtOnceThanTheLimitsAndEveryMailDeliveredOnce(int node, int host, int receivers, int mails,
                                                                         int perSession, int maxPerReceiver, int maxInAll)
        throws Exception {
        ConnectionGauge all = new ConnectionGauge();
        List<ScriptedSmtpServer> servers = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
            servers.add(new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null).delayingFinalDot(HOLD).countingIn(all));
        }
        try (PooledDeliveries deliveries = new PooledDeliveries(node, host, perSession, StartTlsMode.NEVER, servers, 10_000)) {
            deliveries.enqueue(mails);

            try {
                Await.until(() -> deliveries.queue.completed.size() == mails, Duration.ofSeconds(120), "every mail completed");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": completed " + deliveries.queue.completed.size() + ", running "
                    + deliveries.workers.running() + ", results " + deliveries.results + ", thrown " + deliveries.thrown
                    + ", pool open " + deliveries.pool.openConnections() + " busy " + deliveries.pool.busySessions()
                    + ", delivery threads " + deliveryThreads(), e);
            }

            assertThat(deliveries.queue.completed).as("each mail completed once, delivered")
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, mails).mapToObj(i -> "m" + i + ":SUCCESS")
                    .collect(Collectors.toList()));
            assertThat(deliveries.delivered()).isEqualTo(mails);
            assertThat(servers.stream().mapToInt(ScriptedSmtpServer::messages).sum()).as("messages received").isEqualTo(mails);
            assertThat(all.maxAtOnce()).as("sessions open at once in all").isEqualTo(maxInAll);
            assertThat(servers).allSatisfy(server ->
                assertThat(server.gauge().maxAtOnce()).as("sessions open at once to one receiver").isLessThanOrEqualTo(maxPerReceiver));
            assertThat(deliveries.queue.maxOutstanding()).as("items taken and not completed at once").isLessThanOrEqualTo(node);
            assertThat(deliveries.pool.busySessions()).isZero();
            assertThat(deliveries.pool.openConnections()).as("no slot held but by an idle session")
                .isEqualTo(deliveries.pool.idleSessions());
        } finally {
            for (ScriptedSmtpServer server : servers) {
                server.close();
            }
        }
    }
}
