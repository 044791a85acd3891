package org.jamestls.it.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Sends mails 0..n-1 from {@code threads} threads, each with its own {@link Connection}s (kept for all its
 * mails): the submission into James, and the ceiling client.
 */
final class ParallelSender {

    /** One thread's connection(s). */
    interface Connection extends AutoCloseable {
        /** Sends mail {@code seq}; returns the time (epoch microseconds) to measure its latency from. */
        long send(int seq) throws IOException;

        @Override
        void close();
    }

    private ParallelSender() {
    }

    /** The timestamps returned by {@link Connection#send}, by mail number. Fails if any mail could not be sent. */
    static long[] run(int n, int threads, Supplier<Connection> connections, Duration timeout) throws Exception {
        long[] times = new long[n];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = connections.get()) {
                        for (int seq = next.getAndIncrement(); seq < n; seq = next.getAndIncrement()) {
                            times[seq] = c.send(seq);
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<?> f : futures) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    f.get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("sending " + n + " mails took longer than " + timeout);
                }
            }
            return times;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
