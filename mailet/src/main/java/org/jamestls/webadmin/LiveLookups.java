package org.jamestls.webadmin;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the effective route's live lookups (MTA-STS TXT and policy fetch, DNSSEC MX, TLSA per MX host) off the
 * WebAdmin thread, all of one request within one time budget, so a slow receiver or resolver cannot hold a WebAdmin
 * thread for minutes (an MTA-STS fetch alone may take 60 s, a DNSSEC lookup 3 x 10 s per MX host). A lookup that does
 * not finish in time is reported as such; it goes on in the background until its own timeout, on at most
 * {@link #THREADS} threads with {@link #QUEUED} waiting, past which a request is told the lookups are busy.
 */
final class LiveLookups {
    static final Duration BUDGET = Duration.ofSeconds(10);
    /** MX hosts whose TLSA records one request looks up at most. */
    static final int MAX_MX_HOSTS = 10;
    static final int THREADS = 2;
    static final int QUEUED = 16;

    /** What a lookup gave, or why it gave nothing. */
    static final class Result<T> {
        private final Optional<T> value;
        private final String unfinished;

        private Result(Optional<T> value, String unfinished) {
            this.value = value;
            this.unfinished = unfinished;
        }

        Optional<T> value() {
            return value;
        }

        /** Why there is no value (empty when there is one). */
        Optional<String> unfinished() {
            return value.isPresent() ? Optional.empty() : Optional.of(unfinished);
        }
    }

    /** When one request's budget runs out. */
    final class Deadline {
        private final long endNanos = System.nanoTime() + budget.toNanos();

        <T> Result<T> run(Supplier<T> lookup) {
            return LiveLookups.this.run(endNanos, lookup);
        }
    }

    private final Duration budget;
    private final ThreadPoolExecutor executor;

    LiveLookups(Duration budget) {
        this.budget = budget;
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED),
            daemonThreads());
        // no thread is kept while WebAdmin is idle
        executor.allowCoreThreadTimeOut(true);
    }

    static LiveLookups standard() {
        return new LiveLookups(BUDGET);
    }

    Deadline deadline() {
        return new Deadline();
    }

    private <T> Result<T> run(long endNanos, Supplier<T> lookup) {
        long left = endNanos - System.nanoTime();
        if (left <= 0) {
            return new Result<>(Optional.empty(), "not looked up: this request's " + budget.toSeconds() + " s were spent");
        }
        Future<T> future;
        try {
            future = executor.submit(lookup::get);
        } catch (RejectedExecutionException e) {
            return new Result<>(Optional.empty(), "not looked up: too many live lookups in progress, try again later");
        }
        try {
            return new Result<>(Optional.ofNullable(future.get(left, TimeUnit.NANOSECONDS)), "no answer");
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Result<>(Optional.empty(), "did not finish within " + budget.toSeconds()
                + " s (the lookup goes on in the background; delivery does its own)");
        } catch (ExecutionException e) {
            return new Result<>(Optional.empty(), "failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return new Result<>(Optional.empty(), "interrupted");
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "tls-webadmin-lookup-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
