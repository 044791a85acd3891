package org.jamestls.delivery.session;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Per-destination slow start ({@link SlowStart}): a caller that finds no idle session of its key, while a slot is
 * free, waits for one of the key's sessions in use when that is expected to be sooner than opening one, measured per
 * key ({@link DestinationLoad}: opening time in {@link #openReserved}, transaction time from hand-out to give-back).
 * Callers of a key wait in line: a session given back goes to the first. Everything that can change the decision (a
 * session given back, opened, failed to open, closed) wakes the callers waiting; none waits past its deadline, and a
 * slot free at the deadline is used rather than failing.
 */
public class SessionPool implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionPool.class);
    /** An idle session may fail its RSET or have expired: try the next one (or a new one), boundedly. */
    private static final int MAX_ACQUIRE_TRIES = 5;
    /** Destinations whose timings are kept once nothing is in use to them (the least recently used go first). */
    static final int DESTINATIONS_REMEMBERED = 1000;

    private final int maxMessagesPerConnection;
    private final long idleNanos;
    private final int maxConnectionsPerHost;
    private final int maxOpenSessions;
    private final LongSupplier clock;
    private final Map<SessionKey, Deque<SmtpSession>> idle = new HashMap<>();
    // only hosts with a connection open (busy or idle): an entry goes when its count reaches zero
    private final Map<InetSocketAddress, Integer> openPerHost = new HashMap<>();
    private int openInAll;
    /** Sessions handed out and not yet back (aborted at shutdown when their deliveries overrun the grace), with their destination. */
    private final Map<SmtpSession, DestinationLoad> busy = new IdentityHashMap<>();
    /** Slow start's book-keeping per key, in access order: bounded by {@link #DESTINATIONS_REMEMBERED} quiet ones. */
    private final LinkedHashMap<SessionKey, DestinationLoad> destinations = new LinkedHashMap<>(16, 0.75f, true);
    private final ScheduledExecutorService executor;
    private final Optional<DeliveryMetrics> metrics;

    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, Integer.MAX_VALUE);
    }

    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, int maxOpenSessions) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, maxOpenSessions, System::nanoTime, poolThread(),
            true, Optional.empty());
    }

    /** @param metrics counts sessions opened and callers that waited for a session in use instead */
    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, int maxOpenSessions,
                       DeliveryMetrics metrics) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, maxOpenSessions, System::nanoTime, poolThread(),
            true, Optional.of(metrics));
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
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, maxOpenSessions, clock, executor, reapEverySecond,
            Optional.empty());
    }

    SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, int maxOpenSessions,
                LongSupplier clock, ScheduledExecutorService executor, boolean reapEverySecond,
                Optional<DeliveryMetrics> metrics) {
        this.metrics = metrics;
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
        long deadline = clock.getAsLong() + wait.toNanos();
        for (int tries = 0; tries < MAX_ACQUIRE_TRIES; tries++) {
            Turn turn = awaitTurn(key, deadline, idleFirst || tries > 0);
            switch (turn.reservation) {
                case IDLE_TAKEN:
                    if (isFresh(turn.idle) && turn.idle.resetForReuse()) {
                        if (turn.waitedForSession) {
                            metrics.ifPresent(DeliveryMetrics::waitedForSession);
                        }
                        return SessionOrFailure.ready(turn.idle);
                    }
                    discard(turn.idle);
                    break;
                case HOST_FULL:
                    return noSlot(key, wait, "maxConnectionsPerHost reached");
                case NODE_FULL:
                    return noSlot(key, wait, "maxConcurrentDeliveries sessions open on this node");
                case INTERRUPTED:
                    return noSlot(key, wait, "interrupted while waiting");
                default:
                    return openReserved(key, turn.load, opener);
            }
        }
        return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5",
            "no usable connection to " + key.target() + " after " + MAX_ACQUIRE_TRIES + " tries"));
    }

    private static SessionOrFailure noSlot(SessionKey key, Duration wait, String why) {
        return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.5",
            "no free connection to " + key.target() + " within " + wait.toSeconds() + "s (" + why + ")"));
    }

    /**
     * Opens a session in a reserved slot and measures how long that took; the slot is freed when it fails or throws
     * (the connection is the opener's). Either way the callers waiting decide again.
     */
    private SessionOrFailure openReserved(SessionKey key, DestinationLoad load, Supplier<SessionOrFailure> opener) {
        long started = clock.getAsLong();
        SessionOrFailure opened;
        try {
            opened = opener.get();
        } catch (RuntimeException | Error e) {
            openingFailed(key.remote(), load);
            throw e;
        }
        Optional<SmtpSession> session = opened.session();
        if (session.isEmpty()) {
            openingFailed(key.remote(), load);
            return opened;
        }
        synchronized (this) {
            long now = clock.getAsLong();
            load.opened(session.get(), now - started, now);
            busy.put(session.get(), load);
            notifyAll();
        }
        metrics.ifPresent(DeliveryMetrics::sessionOpened);
        return opened;
    }

    private synchronized void openingFailed(InetSocketAddress remote, DestinationLoad load) {
        load.openingFailed();
        release(remote);
    }

    /** After a transaction: keeps the session for the next mail when it may be reused, closes it otherwise. */
    void giveBack(SmtpSession session, boolean reusable) {
        session.countTransaction();
        boolean keep = reusable && session.transactions() < maxMessagesPerConnection && idleNanos > 0;
        long now = clock.getAsLong();
        synchronized (this) {
            DestinationLoad load = busy.remove(session);
            if (load != null) {
                load.givenBack(session, now);
            }
            if (keep) {
                session.markIdle(now);
                idle.computeIfAbsent(session.key(), k -> new ArrayDeque<>()).addFirst(session);
                notifyAll();
            }
        }
        if (!keep) {
            discard(session);
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
            all = new ArrayList<>(busy.keySet());
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

    /** What {@link #awaitTurn} gives a caller. */
    private enum Reservation {
        /** A slot for a new connection is the caller's. */
        RESERVED,
        /** An idle session of the caller's key, now busy: it still has to answer RSET if it needs one. */
        IDLE_TAKEN,
        /** No slot within the wait: the host's sessions are all busy. */
        HOST_FULL,
        /** No slot within the wait: the node's sessions are all busy. */
        NODE_FULL,
        /** The caller's thread was interrupted while it waited. */
        INTERRUPTED
    }

    private static final class Turn {
        final Reservation reservation;
        final DestinationLoad load;
        final SmtpSession idle;
        /** The caller waited for a session in use rather than open one (slow start), and got one. */
        final boolean waitedForSession;

        Turn(Reservation reservation, DestinationLoad load, SmtpSession idle, boolean waitedForSession) {
            this.reservation = reservation;
            this.load = load;
            this.idle = idle;
            this.waitedForSession = waitedForSession;
        }
    }

    /**
     * The caller's turn for {@code key}, waiting until {@code deadline} at most: an idle session of the key (when no
     * caller waits before it for one), else a reserved slot for a new connection once the host and the node have one
     * (evicting an idle session of another identity if need be) and {@link SlowStart} does not expect a session in use
     * back sooner. With {@code idleFirst} false (a new connection after a stale session) a free slot is taken at once.
     */
    private Turn awaitTurn(SessionKey key, long deadline, boolean idleFirst) {
        InetSocketAddress remote = key.remote();
        Object caller = new Object();
        synchronized (this) {
            DestinationLoad load = load(key);
            boolean waitedForSession = false;
            try {
                while (true) {
                    long now = clock.getAsLong();
                    int ahead = load.ahead(caller);
                    Deque<SmtpSession> own = idle.get(key);
                    int ownIdle = own == null ? 0 : own.size();
                    int open = openPerHost.getOrDefault(remote, 0);
                    boolean hostFull = open >= maxConnectionsPerHost;
                    boolean room = !hostFull && openInAll < maxOpenSessions;
                    if (ownIdle > ahead && (idleFirst || !room)) {
                        SmtpSession session = pollIdle(key).orElseThrow();
                        load.handedOut(session, now);
                        busy.put(session, load);
                        return new Turn(Reservation.IDLE_TAKEN, load, session, waitedForSession);
                    }
                    Optional<SmtpSession> victim = room ? Optional.empty() : evictable(key, hostFull);
                    long remaining = deadline - now;
                    long waitNanos;
                    if (room || victim.isPresent()) {
                        OptionalLong sooner = idleFirst && reusable()
                            ? SlowStart.waitFor(load.inUse(), Math.max(0, ahead - ownIdle), load.openNanos(),
                                load.transactionNanos(), load.youngestBusyNanos(now), remaining)
                            : OptionalLong.empty();
                        if (sooner.isEmpty()) {
                            reserveSlot(remote, open, hostFull, victim);
                            load.openingStarted();
                            return new Turn(Reservation.RESERVED, load, null, false);
                        }
                        if (!waitedForSession && LOGGER.isDebugEnabled()) {
                            LOGGER.debug("Waiting for a session to {} in use to come back: {} in use, {} waiting before,"
                                    + " transaction {} ms, opening {} ms", key.target(), load.inUse(), ahead,
                                millis(load.transactionNanos()), millis(load.openNanos()));
                        }
                        waitedForSession = true;
                        waitNanos = sooner.getAsLong();
                    } else if (remaining <= 0) {
                        return new Turn(hostFull ? Reservation.HOST_FULL : Reservation.NODE_FULL, load, null, false);
                    } else {
                        waitNanos = remaining;
                    }
                    load.line(caller);
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new Turn(Reservation.INTERRUPTED, load, null, false);
                    }
                }
            } finally {
                if (load.leaveLine(caller) && idle.containsKey(key)) {
                    // the callers behind it moved up: one of them may now take an idle session
                    notifyAll();
                }
            }
        }
    }

    /** Whether a session can serve a second mail at all: if not, waiting for one in use is pointless. */
    private boolean reusable() {
        return idleNanos > 0 && maxMessagesPerConnection > 1;
    }

    /**
     * Takes a slot for a new connection to {@code remote}: a free one, or the victim's, whose session is closed on the
     * pool's thread (its slot passes straight to the caller).
     */
    private void reserveSlot(InetSocketAddress remote, int open, boolean hostFull, Optional<SmtpSession> victim) {
        if (victim.isEmpty()) {
            openPerHost.put(remote, open + 1);
            openInAll++;
            return;
        }
        removeIdle(victim.get());
        closeOnPoolThread(victim.get());
        if (!hostFull) {
            openPerHost.computeIfPresent(victim.get().key().remote(), (host, n) -> n > 1 ? n - 1 : null);
            openPerHost.put(remote, open + 1);
        }
    }

    /**
     * An idle session that may make room for a new connection of {@code key}: to the same host when the host is full,
     * else the node's longest idle; never one of the caller's own key, nor of a key whose callers wait for it.
     */
    private Optional<SmtpSession> evictable(SessionKey key, boolean hostFull) {
        return idle.values().stream().flatMap(Deque::stream)
            .filter(session -> !session.key().equals(key) && !hasWaiting(session.key()))
            .filter(session -> !hostFull || session.key().remote().equals(key.remote()))
            .min(Comparator.comparingLong(SmtpSession::idleSinceNanos));
    }

    private boolean hasWaiting(SessionKey key) {
        DestinationLoad load = destinations.get(key);
        return load != null && load.hasWaiting();
    }

    /** The key's book-keeping, made when first needed; beyond the bound, the quiet ones used least recently go. */
    private DestinationLoad load(SessionKey key) {
        DestinationLoad load = destinations.get(key);
        if (load == null) {
            load = new DestinationLoad();
            destinations.put(key, load);
            if (destinations.size() > DESTINATIONS_REMEMBERED) {
                for (Iterator<DestinationLoad> it = destinations.values().iterator(); it.hasNext(); ) {
                    if (it.next().isQuiet()) {
                        it.remove();
                        break;
                    }
                }
            }
        }
        return load;
    }

    /** Destinations whose timings the pool keeps. */
    synchronized int destinationsRemembered() {
        return destinations.size();
    }

    private static Object millis(OptionalLong nanos) {
        return nanos.isPresent() ? (Object) TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong()) : "unmeasured";
    }

    private synchronized void release(SmtpSession session) {
        DestinationLoad load = busy.remove(session);
        if (load != null) {
            load.closed(session);
        }
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
