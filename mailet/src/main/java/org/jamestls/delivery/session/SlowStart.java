package org.jamestls.delivery.session;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Per-destination slow start (Postfix's initial destination concurrency, made to follow the round-trip time): whether
 * a delivery that found no idle session of its key, while a slot is free, opens another session or waits for one of
 * the key's sessions in use to be given back. It waits when that is expected to be sooner: about
 * {@code ceil((callers ahead + 1) / sessions in use) x transaction time}, against the time an opening takes (connect,
 * greeting, EHLO, STARTTLS, handshake, EHLO). On loopback a transaction is short against an opening (a TLS handshake's
 * CPU), so a burst shares a few sessions; at 20-200 ms a transaction is two round trips against five for an opening,
 * so the sessions grow with the callers waiting, up to {@code maxConnectionsPerHost}. Before an opening was measured,
 * at most {@link #INITIAL_SESSIONS} are in use at once. A pure function of what the pool measured: no clock, no lock.
 */
final class SlowStart {
    /**
     * Sessions a destination may have in use (opening or busy) before any opening to it was measured. Postfix starts
     * at 5 ({@code initial_destination_concurrency}) and grows by successful deliveries; here the measurements take
     * over after the first opening, so 2 is enough to measure and keeps a burst on loopback from paying a handshake
     * per mail.
     */
    static final int INITIAL_SESSIONS = 2;
    /** A caller waiting for a session decides again at least this late, however soon the decision would turn. */
    private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private SlowStart() {
    }

    /**
     * @param inUse the key's sessions opening or busy
     * @param ahead callers of this key waiting before this one, beyond those the idle sessions will serve
     * @param openNanos recent time an opening took, once one was measured
     * @param transactionNanos recent time from hand-out to give-back, once one was measured
     * @param youngestBusyNanos how long the key's session handed out last has been busy (0 when none is busy): when
     *                          even that one is out longer than an opening takes, the receiver slowed down. Not
     *                          against the recent transaction time: on a loaded node a delivery thread can wait for
     *                          the CPU many times a transaction's length, and every such wait opened a session (a TLS
     *                          handshake, more CPU) in a burst
     * @param remainingNanos until the caller's deadline
     * @return empty: open a session now; else wait at most this long for one to be given back, then decide again
     */
    static OptionalLong waitFor(int inUse, int ahead, OptionalLong openNanos, OptionalLong transactionNanos,
                                long youngestBusyNanos, long remainingNanos) {
        if (inUse <= 0 || remainingNanos <= 0) {
            return OptionalLong.empty();
        }
        if (openNanos.isEmpty()) {
            // nothing measured yet: a few sessions measure it, the others wait for them (an opening that ends wakes them)
            return inUse < INITIAL_SESSIONS ? OptionalLong.empty() : OptionalLong.of(remainingNanos);
        }
        long open = openNanos.getAsLong();
        if (youngestBusyNanos >= open) {
            // even the session handed out last has been out longer than an opening takes: the receiver slowed down
            return OptionalLong.empty();
        }
        if (transactionNanos.isPresent()) {
            long rounds = ((long) ahead + inUse) / inUse;
            long expected = saturatedMultiply(rounds, transactionNanos.getAsLong());
            if (expected >= open || expected >= remainingNanos) {
                return OptionalLong.empty();
            }
        }
        // no transaction back yet (its length unknown), or waiting is sooner: unless a session comes back first, the
        // busy ones' age alone turns the decision when the youngest has been out as long as an opening takes
        return OptionalLong.of(Math.min(remainingNanos, Math.max(MIN_WAIT_NANOS, open - youngestBusyNanos)));
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }
}
