package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.testing.Await;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pool's per-destination slow start with real callers (one thread each) and real sessions to a scripted receiver,
 * on a clock the test drives from event to event: an opening ends the scenario's opening time after it began, a
 * session in the test's hand is given back the scenario's transaction time after it was handed out, and the clock only
 * moves once every caller is served or blocked. So what the pool measures, and decides, follows the scenario, not this
 * machine's speed. A caller's wait deadline is on the same clock: a caller left waiting shows as the test's own bounded
 * wait failing, not as a slow test.
 */
class SessionPoolSlowStartTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private final ScheduledExecutorService poolThread = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();

    @AfterEach
    void stopPoolThread() {
        poolThread.shutdownNow();
    }

    @ParameterizedTest(name = "opening {0} ms, transaction {1} ms, {2} callers, {3} per host: {4} sessions")
    @CsvSource({
        // opening ms, transaction ms, callers, maxConnectionsPerHost, sessions (the first, measured, included)
        // loopback: a transaction is a tenth of a TLS opening: a caller opens when 10 transactions or more are ahead
        // of it on each session in use (callers 10 and 20), the other 18 wait; without slow start: 20 sessions
        "50,  5,   20, 20, 3",
        "50,  5,   60, 20, 7",   // the same, three times the callers: a session more per 9 callers waiting
        "250, 100, 60, 20, 20",  // 50 ms RTT (5 round trips to open, 2 per mail): the sessions fill the host's limit
        "5,   50,  30, 10, 10",  // opening fast against long transactions: up to maxConnectionsPerHost
    })
    void aBurstOpensAsManySessionsAsTheTimingsCallForAndEveryCallerIsServed(long openMillis, long transactionMillis,
                                                                             int callers, int maxPerHost, int expected)
        throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(maxPerHost)) {
            Opener opener = new Opener(server, openMillis);
            // one mail measured the destination; its session is busy with the next when the burst comes
            SmtpSession first = opener.acquire(pool);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(transactionMillis));
            pool.giveBack(first, true);
            SmtpSession held = opener.acquire(pool);

            Callers burst = new Callers(pool, opener, transactionMillis);
            burst.holding(held);
            for (int i = 0; i < callers; i++) {
                burst.startOne();
                burst.settle();
            }
            burst.serveAll();

            assertThat(burst.sessions()).as("every caller got a session").hasSize(callers);
            assertThat(opener.sessions.get()).as("sessions opened").isEqualTo(expected);
            assertThat(opener.maxOpenAtOnce.get()).as("open at once").isLessThanOrEqualTo(maxPerHost);
            assertThat(metricFactory.countFor("jamestls_sessions_opened")).isEqualTo(opener.sessions.get());
            int servedByWaiting = callers - (opener.sessions.get() - 1);
            if (expected < maxPerHost) {
                assertThat(metricFactory.countFor("jamestls_sessions_waited")).as("callers that waited for a session in use")
                    .isEqualTo(servedByWaiting);
            } else {
                // at the host's limit the others wait for a slot, which is no choice of slow start's
                assertThat(metricFactory.countFor("jamestls_sessions_waited")).isLessThanOrEqualTo(servedByWaiting);
            }
        }
    }

    @Test
    void beforeAnythingIsMeasuredOnlyTheInitialSessionsOpenAtOnceAndTheOthersWaitForThem() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(20)) {
            Opener opener = new Opener(server, 50);
            Callers burst = new Callers(pool, opener, 5);
            for (int i = 0; i < 10; i++) {
                burst.startOne();
            }
            burst.settle();

            assertThat(opener.pending).as("openings under way").hasSize(SlowStart.INITIAL_SESSIONS);
            assertThat(burst.waitingInPool()).as("callers waiting for them").isEqualTo(10 - SlowStart.INITIAL_SESSIONS);
            burst.serveAll();
            assertThat(opener.maxOpeningAtOnce.get()).as("openings at once before any was measured")
                .isEqualTo(SlowStart.INITIAL_SESSIONS);
            assertThat(burst.sessions()).as("every caller got a session").hasSize(10);
            assertThat(opener.sessions.get()).as("sessions opened").isLessThanOrEqualTo(3);
        }
    }

    @Test
    void openingsThatFailLeaveNoCallerWaitingForThem() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(20)) {
            Opener opener = new Opener(server, 50).failingFirst(SlowStart.INITIAL_SESSIONS);
            Callers burst = new Callers(pool, opener, 5);
            for (int i = 0; i < 6; i++) {
                burst.startOne();
            }
            burst.settle();
            assertThat(opener.pending).as("openings under way").hasSize(SlowStart.INITIAL_SESSIONS);
            assertThat(burst.waitingInPool()).as("callers waiting for them").isEqualTo(4);

            burst.serveAll();

            assertThat(burst.failures()).as("the callers whose opening failed").hasSize(SlowStart.INITIAL_SESSIONS)
                .allSatisfy(failure -> assertThat(failure.enhancedStatus()).isEqualTo("4.4.1"));
            assertThat(burst.sessions()).as("the callers that waited got sessions").hasSize(4);
            assertThat(pool.openConnections()).isEqualTo(pool.idleSessions());
        }
    }

    @Test
    void aCallerWaitingForASessionInUseOpensOneAtItsDeadlineRatherThanFail() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(20)) {
            Opener opener = new Opener(server, 50);
            SmtpSession first = opener.acquire(pool);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
            pool.giveBack(first, true);
            opener.acquire(pool);
            Duration wait = Duration.ofMillis(30);
            CompletableFuture<SessionOrFailure> caller = waitingCaller(() -> opener.acquire(pool, wait));
            assertThat(opener.calls.get()).as("the caller waits for the busy session (5 ms expected against 50 ms to open)")
                .isEqualTo(1);

            now.addAndGet(wait.toNanos());

            assertThat(caller.get(SETTLE.toSeconds(), TimeUnit.SECONDS).session()).as("a new session").isPresent();
            assertThat(opener.calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aHostAtItsLimitStillEndsTheWaitWith445AtTheDeadline() throws Exception {
        try (ScriptedSmtpServer server = server(); ScriptedSmtpServer elsewhere = server(); SessionPool pool = pool(1)) {
            Opener opener = new Opener(server, 50);
            opener.acquire(pool);
            CompletableFuture<SessionOrFailure> caller = waitingCaller(() -> opener.acquire(pool, Duration.ofSeconds(2)));

            now.addAndGet(Duration.ofSeconds(3).toNanos());
            // any slot freed wakes the waiting callers, which find their deadline passed
            pool.discard(new Opener(elsewhere, 1).acquire(pool));

            DeliveryFailure failure = caller.get(SETTLE.toSeconds(), TimeUnit.SECONDS).failure().orElseThrow();
            assertThat(failure.enhancedStatus()).isEqualTo("4.4.5");
            assertThat(failure.detail()).endsWith("within 2s (maxConnectionsPerHost reached)");
        }
    }

    @Test
    void theTimingsOfQuietDestinationsAreBoundedTheLeastRecentlyUsedGoFirst() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(20)) {
            int destinations = SessionPool.DESTINATIONS_REMEMBERED + 50;
            for (int i = 0; i < destinations; i++) {
                PoolDestination identity = new PoolDestination(server, "relay" + i + ".test");
                SmtpSession session = pool.acquire(identity.key, WAIT,
                    () -> new SessionOpener(5000, 5000).open(identity.target, identity.plan)).session().orElseThrow();
                pool.discard(session);
            }

            assertThat(pool.destinationsRemembered()).isEqualTo(SessionPool.DESTINATIONS_REMEMBERED);
            assertThat(pool.openConnections()).isZero();
        }
    }

    /**
     * Opens real sessions to the receiver. Called from the test's own thread, an opening advances the clock by the
     * scenario's opening time; from a caller's, it waits until the {@link Callers} driver brings the clock to its end.
     */
    private final class Opener {
        final PoolDestination destination;
        final long openNanos;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger sessions = new AtomicInteger();
        /** Openings the driver let go that have not returned yet. */
        final AtomicInteger opening = new AtomicInteger();
        final AtomicInteger maxOpeningAtOnce = new AtomicInteger();
        final AtomicInteger maxOpenAtOnce = new AtomicInteger();
        /** Openings waiting for the clock to reach their end. */
        final Queue<Opening> pending = new ConcurrentLinkedQueue<>();
        private volatile boolean driven;
        private int failing;

        Opener(ScriptedSmtpServer server, long openMillis) {
            destination = new PoolDestination(server, "relay.test");
            openNanos = TimeUnit.MILLISECONDS.toNanos(openMillis);
        }

        Opener failingFirst(int openings) {
            failing = openings;
            return this;
        }

        SmtpSession acquire(SessionPool pool) {
            return acquire(pool, WAIT).session().orElseThrow();
        }

        SessionOrFailure acquire(SessionPool pool, Duration wait) {
            return pool.acquire(destination.key, wait, open(pool));
        }

        private Supplier<SessionOrFailure> open(SessionPool pool) {
            return () -> {
                int call = calls.incrementAndGet();
                if (driven) {
                    Opening mine = new Opening(now.get() + openNanos);
                    pending.add(mine);
                    maxOpeningAtOnce.accumulateAndGet(pending.size() + opening.get(), Math::max);
                    mine.awaitItsEnd();
                } else {
                    maxOpeningAtOnce.accumulateAndGet(1, Math::max);
                    opening.incrementAndGet();
                    now.addAndGet(openNanos);
                }
                try {
                    if (call <= failing) {
                        return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.1", "refused"));
                    }
                    SessionOrFailure opened = new SessionOpener(5000, 5000).open(destination.target, destination.plan);
                    opened.session().ifPresent(session -> {
                        sessions.incrementAndGet();
                        maxOpenAtOnce.accumulateAndGet(pool.openConnections(), Math::max);
                    });
                    return opened;
                } finally {
                    opening.decrementAndGet();
                }
            };
        }

        /** The opening due first, if any. */
        Optional<Opening> nextOpening() {
            return pending.stream().min(Comparator.comparingLong(opening -> opening.endNanos));
        }

        void end(Opening due) {
            pending.remove(due);
            opening.incrementAndGet();
            due.ended.countDown();
        }
    }

    /** An opening under way on a caller's thread, until the clock reaches its end. */
    private static final class Opening {
        final long endNanos;
        final CountDownLatch ended = new CountDownLatch(1);

        Opening(long endNanos) {
            this.endNanos = endNanos;
        }

        void awaitItsEnd() {
            try {
                if (!ended.await(SETTLE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("the opening never ended");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Callers of one destination, a thread each, and the driver of the test's clock: it moves the clock from event to
     * event (a session in hand ends its transaction, an opening ends), once every caller has been served, waits in the
     * pool or waits for its opening to end.
     */
    private final class Callers {
        private final SessionPool pool;
        private final Opener opener;
        private final long transactionNanos;
        private final List<Thread> threads = new ArrayList<>();
        private final List<CompletableFuture<SessionOrFailure>> results = new ArrayList<>();
        /** Callers whose result the driver took in hand. */
        private final Set<Integer> collected = new HashSet<>();
        /** Sessions in hand and when their transaction ends. */
        private final Map<SmtpSession, Long> inHand = new LinkedHashMap<>();

        Callers(SessionPool pool, Opener opener, long transactionMillis) {
            this.pool = pool;
            this.opener = opener;
            this.transactionNanos = TimeUnit.MILLISECONDS.toNanos(transactionMillis);
            opener.driven = true;
        }

        /** A session the test took before the callers came, busy with a transaction that starts now. */
        void holding(SmtpSession session) {
            inHand.put(session, now.get() + transactionNanos);
        }

        void startOne() {
            CompletableFuture<SessionOrFailure> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> result.complete(opener.acquire(pool, WAIT)), "caller-" + threads.size());
            threads.add(thread);
            results.add(result);
            thread.start();
        }

        /** Callers blocked in the pool: neither served nor opening. */
        int waitingInPool() {
            return blocked() - opener.pending.size();
        }

        private int blocked() {
            int blocked = 0;
            for (int i = 0; i < threads.size(); i++) {
                if (!results.get(i).isDone() && threads.get(i).getState() == Thread.State.TIMED_WAITING) {
                    blocked++;
                }
            }
            return blocked;
        }

        private int done() {
            return (int) results.stream().filter(CompletableFuture::isDone).count();
        }

        /** Until every caller was served or is blocked (in the pool or on its opening), and no idle session is left for one. */
        void settle() throws InterruptedException {
            Await.until(() -> opener.opening.get() == 0 && blocked() == results.size() - done()
                    && (pool.idleSessions() == 0 || done() == results.size()), SETTLE,
                "the callers served or waiting (" + done() + " of " + results.size() + " served, " + waitingInPool()
                    + " waiting, " + opener.pending.size() + " opening, " + pool.idleSessions() + " idle)");
        }

        /** Moves the clock from event to event until every caller was served and gave its session back. */
        void serveAll() throws Exception {
            while (true) {
                settle();
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i).isDone() && collected.add(i)) {
                        results.get(i).get().session().ifPresent(session -> inHand.put(session, now.get() + transactionNanos));
                    }
                }
                Optional<Map.Entry<SmtpSession, Long>> nextBack = inHand.entrySet().stream()
                    .min(Map.Entry.comparingByValue());
                Optional<Opening> nextOpening = opener.nextOpening();
                if (nextBack.isEmpty() && nextOpening.isEmpty()) {
                    assertThat(done()).as("callers served while no session is in use or opening").isEqualTo(results.size());
                    return;
                }
                if (nextOpening.isPresent() && (nextBack.isEmpty() || nextOpening.get().endNanos <= nextBack.get().getValue())) {
                    now.set(Math.max(now.get(), nextOpening.get().endNanos));
                    opener.end(nextOpening.get());
                } else {
                    now.set(Math.max(now.get(), nextBack.get().getValue()));
                    inHand.remove(nextBack.get().getKey());
                    pool.giveBack(nextBack.get().getKey(), true);
                }
            }
        }

        List<SmtpSession> sessions() {
            List<SmtpSession> sessions = new ArrayList<>();
            results.forEach(result -> result.join().session().ifPresent(sessions::add));
            return sessions;
        }

        List<DeliveryFailure> failures() {
            List<DeliveryFailure> failures = new ArrayList<>();
            results.forEach(result -> result.join().failure().ifPresent(failures::add));
            return failures;
        }
    }

    /** A caller on a thread of its own, once it waits in the pool. */
    private static CompletableFuture<SessionOrFailure> waitingCaller(Supplier<SessionOrFailure> acquire)
        throws InterruptedException {
        CompletableFuture<SessionOrFailure> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> result.complete(acquire.get()), "waiting-caller");
        thread.start();
        Await.until(() -> thread.getState() == Thread.State.TIMED_WAITING, SETTLE, "the caller waits in the pool");
        return result;
    }

    private SessionPool pool(int maxPerHost) {
        return new SessionPool(100, Duration.ofSeconds(600), maxPerHost, Integer.MAX_VALUE, now::get, poolThread, false,
            Optional.of(new DeliveryMetrics(metricFactory)));
    }

    private static ScriptedSmtpServer server() throws Exception {
        return new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null);
    }
}
