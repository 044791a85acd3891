package org.jamestls.delivery.session;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * What the pool knows of one destination (a session key) for {@link SlowStart}: its sessions being opened and busy
 * (in hand-out order), the callers waiting for one of its sessions (in arrival order: idle sessions go to the first),
 * and small moving averages of how long an opening and a transaction (hand-out to give-back) took. Not thread-safe:
 * the pool's lock guards it.
 */
final class DestinationLoad {
    /** Weight of the newest sample in the moving averages: a few transactions follow a change. */
    private static final double NEWEST_WEIGHT = 0.25;

    private int opening;
    private final Deque<Busy> busy = new ArrayDeque<>();
    private final Deque<Object> waiting = new ArrayDeque<>();
    private double openNanos = -1;
    private double transactionNanos = -1;

    private static final class Busy {
        final SmtpSession session;
        final long sinceNanos;

        Busy(SmtpSession session, long sinceNanos) {
            this.session = session;
            this.sinceNanos = sinceNanos;
        }
    }

    int inUse() {
        return opening + busy.size();
    }

    /** Nothing in use and nobody waiting: the entry holds only timings and may be forgotten. */
    boolean isQuiet() {
        return opening == 0 && busy.isEmpty() && waiting.isEmpty();
    }

    void openingStarted() {
        opening++;
    }

    void openingFailed() {
        opening--;
    }

    void opened(SmtpSession session, long tookNanos, long nowNanos) {
        opening--;
        openNanos = average(openNanos, tookNanos);
        handedOut(session, nowNanos);
    }

    void handedOut(SmtpSession session, long nowNanos) {
        busy.addLast(new Busy(session, nowNanos));
    }

    /** A busy session given back after its transaction: its time counts. */
    void givenBack(SmtpSession session, long nowNanos) {
        Busy entry = remove(session);
        if (entry != null) {
            transactionNanos = average(transactionNanos, nowNanos - entry.sinceNanos);
        }
    }

    /** A busy session closed (broken, refused RSET, ...): no transaction time to learn from it. */
    void closed(SmtpSession session) {
        remove(session);
    }

    private Busy remove(SmtpSession session) {
        for (Iterator<Busy> it = busy.iterator(); it.hasNext(); ) {
            Busy entry = it.next();
            if (entry.session == session) {
                it.remove();
                return entry;
            }
        }
        return null;
    }

    long youngestBusyNanos(long nowNanos) {
        return busy.isEmpty() ? 0 : nowNanos - busy.peekLast().sinceNanos;
    }

    OptionalLong openNanos() {
        return measured(openNanos);
    }

    OptionalLong transactionNanos() {
        return measured(transactionNanos);
    }

    /** Puts a caller in line (once) and says how many wait before it. */
    int line(Object caller) {
        int ahead = 0;
        for (Object other : waiting) {
            if (other == caller) {
                return ahead;
            }
            ahead++;
        }
        waiting.addLast(caller);
        return ahead;
    }

    /** Callers waiting before {@code caller}, or all of them when it is not in line. */
    int ahead(Object caller) {
        int ahead = 0;
        for (Object other : waiting) {
            if (other == caller) {
                break;
            }
            ahead++;
        }
        return ahead;
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Whether the caller was in line. */
    boolean leaveLine(Object caller) {
        return waiting.remove(caller);
    }

    private static OptionalLong measured(double average) {
        return average < 0 ? OptionalLong.empty() : OptionalLong.of(Math.round(average));
    }

    private static double average(double average, long sample) {
        long positive = Math.max(0, sample);
        return average < 0 ? positive : average + NEWEST_WEIGHT * (positive - average);
    }
}
