package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.jamestls.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's own protocol, {@link SessionPool#acquire}: an idle session is reused after RSET, a new one is opened
 * only within the host's slots, a caller waits for a slot and fails with 4.4.5 when none comes free, a failed open
 * gives its slot back, an idle session of another identity is evicted and closed on the pool's thread (not the
 * caller's), and the per-host counters return to nothing. Plaintext sessions to a scripted receiver.
 */
class SessionPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScheduledExecutorService poolThread = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger opened = new AtomicInteger();
    private final SessionOpener opener = new SessionOpener(5000, 5000);

    @AfterEach
    void stopPoolThread() {
        poolThread.shutdownNow();
    }

    @Test
    void anIdleSessionIsReusedAfterRsetInsteadOfOpeningAnother() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(4)) {
            PoolDestination key = key(server, "one.test");
            SmtpSession first = acquire(pool, key, WAIT).session().orElseThrow();
            // RSET follows an aborted transaction only (a completed one needs none, see TransactionDialogueTest)
            first.transactionAborted();
            pool.giveBack(first, true);

            SmtpSession second = acquire(pool, key, WAIT).session().orElseThrow();

            assertThat(second).isSameAs(first);
            assertThat(opened.get()).isEqualTo(1);
            assertThat(server.count("RSET")).isEqualTo(1);
            assertThat(pool.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aHostAtItsLimitMakesTheCallerWaitThenFailWith445() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(1)) {
            acquire(pool, key(server, "one.test"), WAIT).session().orElseThrow();

            SessionOrFailure second = acquire(pool, key(server, "two.test"), Duration.ofMillis(300));

            assertThat(second.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.enhancedStatus()).isEqualTo("4.4.5");
                assertThat(failure.kind()).isEqualTo(FailureKind.CONNECTION);
                assertThat(failure.detail()).isEqualTo("no free connection to mx.dest.test [127.0.0.1]:" + server.port() + " within 0s (maxConnectionsPerHost reached)");
            });
            assertThat(opened.get()).isEqualTo(1);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aSlotFreedWhileACallerWaitsGoesToThatCaller() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(1)) {
            SmtpSession busy = acquire(pool, key(server, "one.test"), WAIT).session().orElseThrow();
            Waiting waiter = waitFor(pool, key(server, "two.test"));

            pool.discard(busy);

            assertThat(waiter.result().session()).isPresent();
            assertThat(opened.get()).isEqualTo(2);
            assertThat(pool.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aSessionGivenBackWhileACallerOfItsKeyWaitsIsTakenInsteadOfOpeningOne() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(1)) {
            PoolDestination key = key(server, "one.test");
            SmtpSession busy = acquire(pool, key, WAIT).session().orElseThrow();
            Waiting waiter = waitFor(pool, key);

            pool.giveBack(busy, true);

            assertThat(waiter.result().session()).containsSame(busy);
            assertThat(opened.get()).isEqualTo(1);
        }
    }

    @Test
    void aFailedOpenGivesItsSlotBack() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(1)) {
            DeliveryFailure refused = new DeliveryFailure(FailureKind.CONNECTION, "4.4.1", "cannot connect");

            SessionOrFailure failed = pool.acquire(key(server, "one.test").key, WAIT, () -> SessionOrFailure.failed(refused));

            assertThat(failed.failure()).contains(refused);
            assertThat(pool.hostsWithConnections()).isZero();
            assertThat(acquire(pool, key(server, "one.test"), Duration.ofMillis(300)).session()).isPresent();
        }
    }

    @Test
    void anIdleSessionOfAnotherIdentityIsEvictedAndClosedOnThePoolsThread() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(1)) {
            pool.giveBack(acquire(pool, key(server, "one.test"), WAIT).session().orElseThrow(), true);
            CountDownLatch poolThreadBusy = new CountDownLatch(1);
            poolThread.execute(() -> awaitQuietly(poolThreadBusy));

            SessionOrFailure other = acquire(pool, key(server, "two.test"), WAIT);

            assertThat(other.session()).isPresent();
            assertThat(server.count("QUIT")).as("the caller did not close the evicted session itself").isZero();
            poolThreadBusy.countDown();
            Await.until(() -> server.count("QUIT") == 1, WAIT, "the pool's thread sends QUIT to the evicted session");
            assertThat(pool.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void perHostCountersReturnToNothingOnceEverySessionIsClosed() throws Exception {
        try (ScriptedSmtpServer first = server(); ScriptedSmtpServer second = server(); SessionPool pool = pool(4)) {
            SmtpSession a = acquire(pool, key(first, "one.test"), WAIT).session().orElseThrow();
            SmtpSession b = acquire(pool, key(first, "two.test"), WAIT).session().orElseThrow();
            SmtpSession c = acquire(pool, key(second, "one.test"), WAIT).session().orElseThrow();
            assertThat(pool.hostsWithConnections()).isEqualTo(2);
            assertThat(pool.openConnections()).isEqualTo(3);

            pool.discard(a);
            pool.giveBack(b, false);
            pool.giveBack(c, true);
            assertThat(pool.hostsWithConnections()).isEqualTo(1);
            pool.close();

            assertThat(pool.openConnections()).isZero();
            assertThat(pool.hostsWithConnections()).isZero();
        }
    }

    /** A caller blocked in acquire on another thread, seen waiting before the test goes on. */
    private final class Waiting {
        private final CompletableFuture<SessionOrFailure> future = new CompletableFuture<>();

        Waiting(SessionPool pool, PoolDestination key) throws InterruptedException {
            Thread caller = new Thread(() -> future.complete(acquire(pool, key, WAIT)), "waiting-caller");
            caller.start();
            Await.until(() -> caller.getState() == Thread.State.TIMED_WAITING, WAIT, "the caller waits for a slot");
        }

        SessionOrFailure result() throws Exception {
            return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private Waiting waitFor(SessionPool pool, PoolDestination key) throws InterruptedException {
        return new Waiting(pool, key);
    }

    private SessionOrFailure acquire(SessionPool pool, PoolDestination destination, Duration wait) {
        Supplier<SessionOrFailure> counting = () -> {
            opened.incrementAndGet();
            return opener.open(destination.target, destination.plan);
        };
        return pool.acquire(destination.key, wait, counting);
    }

    private SessionPool pool(int maxPerHost) {
        return new SessionPool(100, Duration.ofSeconds(10), maxPerHost, System::nanoTime, poolThread, false);
    }

    private static ScriptedSmtpServer server() throws Exception {
        return new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null);
    }

    private static PoolDestination key(ScriptedSmtpServer server, String heloName) {
        return new PoolDestination(server, heloName);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
