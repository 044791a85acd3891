package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.Await;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.Test;

/**
 * Stopping the delivery workers (the mailet's {@code destroy()}) loses no mail: the deliveries running finish and
 * complete their queue items, the mails not taken stay in the queue; deliveries blocked longer than the grace (a
 * receiver holding its final-dot reply) lose their sessions, which ends them at once (a deferral in the mailet), and
 * their items are completed too. A scripted receiver holds each final dot.
 */
class DeliveryShutdownTest {
    private static final int MAILS = 9;

    @Test
    void deliveriesRunningAtTheStopFinishAndTheRestStaysQueued() throws Exception {
        try (ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null)
                 .delayingFinalDot(Duration.ofMillis(500));
             PooledDeliveries deliveries = new PooledDeliveries(3, 20, 1, StartTlsMode.NEVER, List.of(receiver), 10_000)) {
            deliveries.enqueue(MAILS);
            Await.until(() -> deliveries.workers.running() == 3, Duration.ofSeconds(60), "3 deliveries running");
            AtomicBoolean overrun = new AtomicBoolean();

            deliveries.workers.stop(Duration.ofSeconds(60), () -> overrun.set(true));

            assertThat(overrun).as("the deliveries finished within the grace").isFalse();
            assertThat(deliveries.queue.outstanding()).as("items taken and not completed").isZero();
            assertThat(deliveries.queue.completed).isNotEmpty().allMatch(item -> item.endsWith(":SUCCESS"));
            assertThat(deliveries.delivered()).isEqualTo(deliveries.queue.completed.size());
            assertThat(deliveries.queue.completed.size() + deliveries.queue.mails.size()).as("completed + still queued")
                .isEqualTo(MAILS);
            assertThat(receiver.messages()).isEqualTo(deliveries.queue.completed.size());
        }
    }

    @Test
    void deliveriesBlockedPastTheGraceLoseTheirSessionsAndTheirItemsAreCompleted() throws Exception {
        try (ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null)
                 .delayingFinalDot(Duration.ofMinutes(2));
             PooledDeliveries deliveries = new PooledDeliveries(3, 20, 1, StartTlsMode.NEVER, List.of(receiver), 300_000)) {
            deliveries.enqueue(MAILS);
            Await.until(() -> deliveries.pool.busySessions() == 3 && receiver.count("DATA") == 3, Duration.ofSeconds(60),
                "3 deliveries waiting for the final dot's reply");
            AtomicBoolean overrun = new AtomicBoolean();
            long start = System.nanoTime();

            deliveries.workers.stop(Duration.ofMillis(500), () -> {
                overrun.set(true);
                deliveries.pool.abortBusy();
            });

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            assertThat(overrun).isTrue();
            assertThat(deliveries.queue.outstanding()).as("items taken and not completed").isZero();
            assertThat(deliveries.queue.completed).hasSize(3).allMatch(item -> item.endsWith(":SUCCESS"));
            // the final dots were sent: the receiver may have the mails, so each is deferred as ambiguous (issue 11)
            assertThat(deliveries.results).hasSize(3).allMatch(HostAttemptResult::isAmbiguousAfterDot);
            assertThat(deliveries.queue.mails).hasSize(MAILS - 3);
            assertThat(deliveries.pool.busySessions()).isZero();
            assertThat(deliveries.pool.openConnections()).isZero();
            receiver.releaseHeldReplies();
        }
    }
}
