package org.jamestls.delivery.session;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;

/**
 * Keeps SMTP sessions open between mails to the same MX with the same identity and TLS options, within
 * the operator's bounds: at most {@code maxMessagesPerConnection} transactions per session, idle for at
 * most {@code connectionIdleTime}, at most {@code maxConnectionsPerHost} open connections (busy or idle)
 * per MX address and at most {@code maxOpenSessions} in all (the mailet's {@code maxConcurrentDeliveries}: when
 * the node is full, the idle session unused for longest is evicted to make room). A session that failed, timed
 * out or was closed by the receiver never comes back here. Idle sessions hold no thread: they wait in a map.
 *
 * <p>The protocol is the pool's own: {@link #acquire} hands out an idle session or opens a new one within the
 * host's bounds (or says why not), {@link #giveBack} and {@link #discard} end a session's turn. Sessions the pool
 * retires itself (expired, or evicted to make room for another identity) are closed on its own thread, never on
 * a delivery thread and never while its lock is held (closing sends QUIT and waits for the answer).
 *
 * <p>A slot (counted per host) is held from {@link #acquire} reserving it until the session is given back and closed
 * or discarded; whatever the caller throws in between, it must {@link #discardBroken} the session (HostDelivery does).
 */
public class SessionPool implements AutoCloseable {
    /** An idle session can be taken by another worker between being offered and taken: try again, boundedly. */
    private static final int MAX_ACQUIRE_TRIES = 5;

    private final int maxMessagesPerConnection;
    private final long idleNanos;
    private final int maxConnectionsPerHost;
    private final int maxOpenSessions;
    private final LongSupplier clock;
    private final Map<SessionKey, Deque<SmtpSession>> idle = new HashMap<>();
    // only hosts with a connection open (busy or idle): an entry goes when its count reaches zero
    private final Map<InetSocketAddress, Integer> openPerHost = new HashMap<>();
    private int openInAll;
    /** Sessions handed out and not yet back: aborted at shutdown when their deliveries overrun the grace. */
    private final Set<SmtpSession> busy = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ScheduledExecutorService executor;

    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, Integer.MAX_VALUE);
    }

    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, int maxOpenSessions) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, maxOpenSessions, System::nanoTime, poolThread(),
            true);
    }

    /** The pool's own thread: finds expired sessions and closes retired ones. */
    static ScheduledExecutorService poolThread() {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tls-delivery-sessions");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param executor where retired sessions are closed (and, with {@code reapEverySecond}, expired ones found)
     */
    SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, LongSupplier clock,
                ScheduledExecutorService executor, boolean reapEverySecond) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, Integer.MAX_VALUE, clock, executor, reapEverySecond);
    }

    SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, int maxOpenSessions,
                LongSupplier clock, ScheduledExecutorService executor, boolean reapEverySecond) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
        this.idleNanos = idleTime.toNanos();
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.maxOpenSessions = maxOpenSessions;
        this.clock = clock;
        this.executor = executor;
        if (reapEverySecond) {
            executor.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A session for {@code key}: an idle one that still answers RSET, else a new one from {@code opener} once a
     * connection slot to the key's address is free, waiting up to {@code wait} for one. A failure when no slot
     * came free in time ({@code 4.4.5}) or when the opener failed (its own failure).
     */
    SessionOrFailure acquire(SessionKey key, Duration wait, Supplier<SessionOrFailure> opener) {
        return acquire(key, wait, opener, true);
    }

    /**
     * As {@link #acquire}, but a new connection first (after a stale session): an idle one only when the host's slots
     * are all taken and one of this key's sessions is idle.
     */
    SessionOrFailure acquireNew(SessionKey key, Duration wait, Supplier<SessionOrFailure> opener) {
        return acquire(key, wait, opener, false);
    }

    private SessionOrFailure acquire(SessionKey key, Duration wait, Supplier<SessionOrFailure> opener, boolean idleFirst) {
        for (int tries = 0; tries < MAX_ACQUIRE_TRIES; tries++) {
            Optional<SmtpSession> reused = idleFirst || tries > 0 ? takeIdle(key) : Optional.empty();
            if (reused.isPresent()) {
                return handedOut(SessionOrFailure.ready(reused.get()));
            }
            switch (reserve(key, wait)) {
                case HOST_FULL:
                    return noSlot(key, wait, "maxConnectionsPerHost reached");
                case NODE_FULL:
                    return noSlot(key, wait, "maxConcurrentDeliveries sessions open on this node");
                case RESERVED:
                    return handedOut(openReserved(key, opener));
                default:
                    // a session with this key became idle meanwhile: take it on the next round
            }
        }
        return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5",
            "no usable connection to " + key.target() + " after " + MAX_ACQUIRE_TRIES + " tries"));
    }

    private static SessionOrFailure noSlot(SessionKey key, Duration wait, String why) {
        return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5",
            "no free connection to " + key.target() + " within " + wait.toSeconds() + "s (" + why + ")"));
    }

    /** Opens a session in a reserved slot; the slot is freed when it fails or throws (the connection is the opener's). */
    private SessionOrFailure openReserved(SessionKey key, Supplier<SessionOrFailure> opener) {
        SessionOrFailure opened;
        try {
            opened = opener.get();
        } catch (RuntimeException | Error e) {
            release(key.remote());
            throw e;
        }
        if (opened.failure().isPresent()) {
            release(key.remote());
        }
        return opened;
    }

    private SessionOrFailure handedOut(SessionOrFailure acquired) {
        acquired.session().ifPresent(session -> {
            synchronized (this) {
                busy.add(session);
            }
        });
        return acquired;
    }

    /** After a transaction: keeps the session for the next mail when it may be reused, closes it otherwise. */
    void giveBack(SmtpSession session, boolean reusable) {
        session.countTransaction();
        if (!reusable || session.transactions() >= maxMessagesPerConnection || idleNanos <= 0) {
            discard(session);
            return;
        }
        session.markIdle(clock.getAsLong());
        synchronized (this) {
            busy.remove(session);
            idle.computeIfAbsent(session.key(), k -> new ArrayDeque<>()).addFirst(session);
            notifyAll();
        }
    }

    /** Closes a session (on the caller's thread, QUIT first) and frees its slot. */
    void discard(SmtpSession session) {
        try {
            session.quitAndClose();
        } finally {
            release(session);
        }
    }

    /**
     * After anything thrown during a transaction: the dialogue's state is unknown, so the connection is closed
     * without a word, and the slot freed.
     */
    void discardBroken(SmtpSession session) {
        try {
            session.abort();
        } finally {
            release(session);
        }
    }

    /** Slots held: sessions open (busy or idle) and slots reserved for sessions being opened. */
    public synchronized int openConnections() {
        return openInAll;
    }

    /** Sessions waiting idle for their next mail. */
    synchronized int idleSessions() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    /** Sessions handed out by {@link #acquire} and not yet given back or discarded. */
    synchronized int busySessions() {
        return busy.size();
    }

    /**
     * Closes the connection of every busy session (at shutdown, when deliveries overrun their grace): a delivery
     * blocked on a read then fails at once and defers its mail. Their slots are freed when the deliveries discard them.
     */
    public void abortBusy() {
        List<SmtpSession> all;
        synchronized (this) {
            all = new ArrayList<>(busy);
        }
        all.forEach(SmtpSession::abort);
    }

    /** MX addresses with at least one open connection. */
    synchronized int hostsWithConnections() {
        return openPerHost.size();
    }

    /** Closes the sessions idle for longer than the idle time (every second on the pool's thread). */
    void closeExpired() {
        List<SmtpSession> expired = new ArrayList<>();
        synchronized (this) {
            long now = clock.getAsLong();
            for (Deque<SmtpSession> sessions : idle.values()) {
                for (Iterator<SmtpSession> it = sessions.iterator(); it.hasNext(); ) {
                    SmtpSession session = it.next();
                    if (now - session.idleSinceNanos() >= idleNanos) {
                        it.remove();
                        expired.add(session);
                    }
                }
            }
            idle.values().removeIf(Deque::isEmpty);
        }
        expired.forEach(this::discard);
    }

    /** Closes every idle session, then lets the pool's thread finish the closes already handed to it. */
    @Override
    public void close() {
        List<SmtpSession> all = new ArrayList<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(this::discard);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** What {@link #reserve} could do for a caller that found no idle session of its own. */
    private enum Reservation {
        /** A slot for a new connection is the caller's. */
        RESERVED,
        /** A session with the caller's key became idle meanwhile: take it instead of opening one. */
        IDLE_AVAILABLE,
        /** No slot within the wait (or the wait was interrupted): the host's sessions are all busy. */
        HOST_FULL,
        /** No slot within the wait: the node's sessions are all busy. */
        NODE_FULL
    }

    /**
     * An idle session for this key that still answers RSET, if there is one. Sessions that do not are
     * closed on the way.
     */
    private Optional<SmtpSession> takeIdle(SessionKey key) {
        while (true) {
            Optional<SmtpSession> session = pollIdle(key);
            if (session.isEmpty()) {
                return Optional.empty();
            }
            if (isFresh(session.get()) && session.get().resetForReuse()) {
                return session;
            }
            discard(session.get());
        }
    }

    /**
     * Reserves a connection slot for a new session to this key's MX address, waiting up to {@code wait}.
     * When the address's slots are all held by idle sessions of other identities, one of them is evicted.
     */
    private Reservation reserve(SessionKey key, Duration wait) {
        InetSocketAddress remote = key.remote();
        long deadline = clock.getAsLong() + wait.toNanos();
        synchronized (this) {
            while (true) {
                int open = openPerHost.getOrDefault(remote, 0);
                boolean hostFull = open >= maxConnectionsPerHost;
                if (!hostFull && openInAll < maxOpenSessions) {
                    openPerHost.put(remote, open + 1);
                    openInAll++;
                    return Reservation.RESERVED;
                }
                Deque<SmtpSession> own = idle.get(key);
                if (own != null && !own.isEmpty()) {
                    return Reservation.IDLE_AVAILABLE;
                }
                Optional<SmtpSession> victim = hostFull ? anyIdleTo(remote) : longestIdle();
                if (victim.isPresent()) {
                    // the victim's slot passes straight to the caller
                    removeIdle(victim.get());
                    closeOnPoolThread(victim.get());
                    if (!hostFull) {
                        openPerHost.computeIfPresent(victim.get().key().remote(), (host, n) -> n > 1 ? n - 1 : null);
                        openPerHost.put(remote, open + 1);
                    }
                    return Reservation.RESERVED;
                }
                Reservation full = hostFull ? Reservation.HOST_FULL : Reservation.NODE_FULL;
                long remaining = deadline - clock.getAsLong();
                if (remaining <= 0) {
                    return full;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return full;
                }
            }
        }
    }

    private synchronized void release(SmtpSession session) {
        busy.remove(session);
        release(session.key().remote());
    }

    /** Frees a slot: of a session closed, or reserved for one that could not be opened. */
    private synchronized void release(InetSocketAddress remote) {
        if (openPerHost.containsKey(remote)) {
            openInAll--;
        }
        openPerHost.computeIfPresent(remote, (host, open) -> open > 1 ? open - 1 : null);
        notifyAll();
    }

    private synchronized Optional<SmtpSession> pollIdle(SessionKey key) {
        Deque<SmtpSession> sessions = idle.get(key);
        if (sessions == null) {
            return Optional.empty();
        }
        Optional<SmtpSession> session = Optional.ofNullable(sessions.pollFirst());
        if (sessions.isEmpty()) {
            idle.remove(key);
        }
        return session;
    }

    private boolean isFresh(SmtpSession session) {
        return clock.getAsLong() - session.idleSinceNanos() < idleNanos;
    }

    /** The idle session given back longest ago, to any host (the first to expire anyway). */
    private Optional<SmtpSession> longestIdle() {
        return idle.values().stream().flatMap(Deque::stream)
            .min(Comparator.comparingLong(SmtpSession::idleSinceNanos));
    }

    private Optional<SmtpSession> anyIdleTo(InetSocketAddress remote) {
        return idle.values().stream().flatMap(Deque::stream)
            .filter(session -> session.key().remote().equals(remote))
            .reduce((first, second) -> second);
    }

    private void removeIdle(SmtpSession session) {
        Deque<SmtpSession> sessions = idle.get(session.key());
        if (sessions != null) {
            sessions.remove(session);
            if (sessions.isEmpty()) {
                idle.remove(session.key());
            }
        }
    }

    /** An evicted session's slot already went to the caller: only the connection is closed, on the pool's thread. */
    private void closeOnPoolThread(SmtpSession session) {
        try {
            executor.execute(session::quitAndClose);
        } catch (RejectedExecutionException shuttingDown) {
            // the pool is closing: close without QUIT rather than block under the lock
            session.abort();
        }
    }
}
