package org.jamestls.it.bench;

/**
 * Counts the round trips a client waited for on one connection, from the order of two events on the client's
 * side of {@link DelayProxy}: the client sent bytes ({@link #clientSent}, the proxy read them from the client), and
 * server bytes reached the client ({@link #serverDelivered}, the proxy wrote them to the client).
 *
 * <p>Definition: one round trip is counted each time server bytes reach the client after the client sent bytes
 * since the last server bytes it got, i.e. per maximal run of client-to-server bytes that is followed by
 * server-to-client bytes before the client sends again. Server bytes before the client sent anything (the SMTP
 * greeting) count as one round trip too: the client waited for them. So:
 * <ul>
 *   <li>lock-step SMTP: greeting, then one per command: {@code S C S C S} = 3;</li>
 *   <li>a pipelined group (MAIL, RCPT, DATA written before any reply) and its replies: one;</li>
 *   <li>a reply that reaches the client in several segments: one (only the first segment after client bytes
 *       counts), and so does a client burst that leaves in several segments before any reply;</li>
 *   <li>client bytes that no reply follows: none; server bytes after the client closed its sending side (a
 *       client that writes QUIT and closes without waiting for the 221) count neither.</li>
 * </ul>
 * Counting happens on the client's side of the delay, so what the client could not have waited for (it sent its
 * next command before the previous reply could reach it) is never counted. Thread-safe: the proxy thread
 * updates, the sink threads read {@link #roundTrips()}.
 */
final class RoundTripCounter {

    private enum Last { NOTHING, CLIENT, SERVER }

    private Last last = Last.NOTHING;
    private boolean clientClosed;
    private volatile long roundTrips;

    /** The client sent bytes. */
    synchronized void clientSent() {
        last = Last.CLIENT;
    }

    /** The client closed its sending side (end of stream). */
    synchronized void clientClosed() {
        clientClosed = true;
    }

    /** Server bytes reached the client; returns true when they complete a round trip. */
    synchronized boolean serverDelivered() {
        boolean counts = last != Last.SERVER && !clientClosed;
        if (counts) {
            roundTrips++;
        }
        last = Last.SERVER;
        return counts;
    }

    /** Round trips so far. */
    long roundTrips() {
        return roundTrips;
    }
}
