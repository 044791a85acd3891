package org.jamestls.it.bench;

/**
 * Counts the round trips a client waited for on one connection, from what {@link DelayProxy} sees: the client sent
 * bytes ({@link #clientSent}, read from the client), client bytes reached the server ({@link #forwarded}), the
 * server sent bytes ({@link #serverSent}, read from the server) and those reached the client
 * ({@link #serverDelivered}).
 *
 * <p>Definition: a round trip is counted when server bytes reach the client and
 * <ol>
 *   <li>the client sent bytes since the last server bytes it got (a run of client bytes, then server bytes before
 *       the client sends again), and</li>
 *   <li>the server sent them after it had received client bytes it had not received when it sent the previous
 *       server bytes that reached the client (they answer something new, not the rest of an earlier answer).</li>
 * </ol>
 * The first server bytes of a connection (the SMTP greeting) count as one round trip: the client waited for them.
 * So:
 * <ul>
 *   <li>lock-step SMTP: greeting, then one per command;</li>
 *   <li>a pipelined group (MAIL, RCPT, DATA sent before any reply arrived) and its replies: one, however the bytes
 *       are cut into segments either way;</li>
 *   <li>a reply that reaches the client in several segments: one; so does a server flight the client interrupts
 *       with bytes that need no answer (TLS 1.3's compatibility ChangeCipherSpec, sent when ServerHello arrives
 *       while the rest of the flight is on its way: rule 2);</li>
 *   <li>client bytes that no reply follows: none; server bytes after the client closed its sending side (a client
 *       that writes QUIT and closes without waiting for the 221): none.</li>
 * </ul>
 * Counting on the client's side of the delay means that what the client could not have waited for (it sent its
 * next command before the previous reply could reach it) is never counted. At RTT 0 nothing separates the events:
 * e.g. a TLS 1.3 session ticket that arrives between the client's Finished and its EHLO counts as a round trip.
 * Thread-safe: the proxy thread updates, the sink threads read {@link #roundTrips()}.
 */
final class RoundTripCounter {

    private enum Last { NOTHING, CLIENT, SERVER }

    private Last last = Last.NOTHING;
    private boolean clientClosed;
    private long clientBytesAtServer;
    private long lastDeliveredToken = -1;
    private volatile long roundTrips;

    /** The client sent bytes. */
    synchronized void clientSent() {
        last = Last.CLIENT;
    }

    /** The client closed its sending side (end of stream). */
    synchronized void clientClosed() {
        clientClosed = true;
    }

    /** {@code bytes} client bytes reached the server. */
    synchronized void forwarded(long bytes) {
        clientBytesAtServer += bytes;
    }

    /** The server sent bytes: the token to hand to {@link #serverDelivered} when they reach the client. */
    synchronized long serverSent() {
        return clientBytesAtServer;
    }

    /** Server bytes sent with {@code token} reached the client; returns true when they complete a round trip. */
    synchronized boolean serverDelivered(long token) {
        boolean counts = last != Last.SERVER && !clientClosed && token > lastDeliveredToken;
        if (counts) {
            roundTrips++;
        }
        lastDeliveredToken = Math.max(lastDeliveredToken, token);
        last = Last.SERVER;
        return counts;
    }

    /**
     * Whether the client is waiting: it sent bytes (or, before the greeting, nothing yet) that the server bytes it
     * got since do not follow, and it has not closed its side. A session that is not waiting is idle (e.g. pooled).
     */
    synchronized boolean waiting() {
        return last != Last.SERVER && !clientClosed;
    }

    /** Round trips so far. */
    long roundTrips() {
        return roundTrips;
    }
}
