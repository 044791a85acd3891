package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.Await;
import org.jamestls.testing.ReceiverProcess;
import org.jamestls.testing.RetainedHeap;
import org.junit.jupiter.api.Test;

/**
 * What an open session costs the node, measured: {@value #SESSIONS} deliveries at once (the default
 * {@code maxConcurrentDeliveries} on 2 cores) over STARTTLS to a receiver in another JVM that holds every final dot, so
 * all of them are busy at once; then the same sessions idle in the pool once the receiver answered and the delivery
 * threads have ended. Heap after full collections, live threads and the process's RSS ({@code /proc/self/status}) are
 * read against the figures before; the deltas per session are printed ({@code SESSION-MEMORY} lines) and bounded.
 * The README's "Concurrency and memory" figures come from this test.
 */
class SessionMemoryTest {
    private static final int SESSIONS = Integer.getInteger("sessions.measured", 200);

    @Test
    void busySessionsCostAHeapShareAndASmallStackThreadIdleOnesNoThread() throws Exception {
        try (ReceiverProcess receiver = ReceiverProcess.start()) {
            Snapshot before = Snapshot.take();
            try (PooledDeliveries deliveries = new PooledDeliveries(SESSIONS, SESSIONS, 100, StartTlsMode.MANDATORY,
                     List.of(receiver.port()), 600_000)) {
                deliveries.enqueue(SESSIONS);
                Await.until(() -> deliveries.pool.busySessions() == SESSIONS, Duration.ofMinutes(3),
                    SESSIONS + " sessions open over TLS and busy");
                Snapshot busy = Snapshot.take();

                receiver.releaseHeldReplies();
                Await.until(() -> deliveries.queue.completed.size() == SESSIONS, Duration.ofMinutes(3), "every mail done");
                assertThat(deliveries.delivered()).isEqualTo(SESSIONS);
                deliveries.workers.stop();
                Await.until(() -> threads() <= before.threads + 3, Duration.ofMinutes(1), "the delivery threads ended");
                assertThat(deliveries.pool.idleSessions()).as("sessions kept open, idle").isEqualTo(SESSIONS);
                Snapshot idle = Snapshot.take();

                report("busy", before, busy);
                report("idle", before, idle);
                assertThat(busy.threads - before.threads).as("threads while busy").isBetween(SESSIONS, SESSIONS + 10);
                assertThat(idle.threads - before.threads).as("threads for " + SESSIONS + " idle sessions").isLessThanOrEqualTo(3);
                assertThat((busy.heap - before.heap) / SESSIONS).as("heap per busy session, bytes").isLessThan(512 * 1024);
                assertThat((idle.heap - before.heap) / SESSIONS).as("heap per idle session, bytes").isLessThan(512 * 1024);
            }
        }
    }

    private static void report(String state, Snapshot before, Snapshot now) {
        System.out.printf("SESSION-MEMORY %s: %d sessions, heap %+.1f MiB (%.1f KiB each), threads %+d, RSS %+.1f MiB"
                + " (%.1f KiB each)%n", state, SESSIONS, (now.heap - before.heap) / 1048576.0,
            (now.heap - before.heap) / 1024.0 / SESSIONS, now.threads - before.threads,
            (now.rssKib - before.rssKib) / 1024.0, (now.rssKib - before.rssKib) / (double) SESSIONS);
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static final class Snapshot {
        final long heap;
        final int threads;
        final long rssKib;

        private Snapshot(long heap, int threads, long rssKib) {
            this.heap = heap;
            this.threads = threads;
            this.rssKib = rssKib;
        }

        static Snapshot take() throws Exception {
            long heap = RetainedHeap.usedAfterGc();
            return new Snapshot(heap, threads(), rssKib());
        }

        private static long rssKib() throws Exception {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("VmRSS:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        }
    }
}
