package org.jamestls.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connections a receiver (or several sharing one gauge) holds open now, and the most it held at once. A session ends
 * when the receiver got QUIT (before it answers, so a client that waits for the 221 cannot open its next connection
 * first) or when the connection ends.
 */
public final class ConnectionGauge {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxAtOnce = new AtomicInteger();

    /** One connection's place in a gauge (and in those it was joined with); closing it twice counts once. */
    static class Session {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Runnable decrement;

        Session(Runnable decrement) {
            this.decrement = decrement;
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                decrement.run();
            }
        }

        /** One session counted in both gauges. */
        Session and(Session other) {
            return new Session(() -> {
                close();
                other.close();
            });
        }
    }

    Session opened() {
        maxAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
        return new Session(open::decrementAndGet);
    }

    public int open() {
        return open.get();
    }

    public int maxAtOnce() {
        return maxAtOnce.get();
    }
}
