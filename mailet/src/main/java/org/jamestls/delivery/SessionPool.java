package org.jamestls.delivery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jamestls.smtp.SmtpReply;

/**
 * Keeps SMTP sessions open between mails to the same MX with the same identity and TLS options, within
 * the operator's bounds: at most {@code maxMessagesPerConnection} transactions per session, idle for at
 * most {@code connectionIdleTime}, at most {@code maxConnectionsPerHost} open connections (busy or idle)
 * per MX address. A session that failed, timed out or was closed by the receiver never comes back here.
 */
public class SessionPool implements AutoCloseable {
    private final int maxMessagesPerConnection;
    private final long idleNanos;
    private final int maxConnectionsPerHost;
    private final LongSupplier clock;
    private final Map<SessionKey, Deque<SmtpSession>> idle = new HashMap<>();
    private final Map<InetSocketAddress, Integer> openPerHost = new HashMap<>();
    private final ScheduledExecutorService reaper;

    public SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost) {
        this(maxMessagesPerConnection, idleTime, maxConnectionsPerHost, System::nanoTime, true);
    }

    SessionPool(int maxMessagesPerConnection, Duration idleTime, int maxConnectionsPerHost, LongSupplier clock,
                boolean startReaper) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
        this.idleNanos = idleTime.toNanos();
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.clock = clock;
        this.reaper = startReaper ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tls-delivery-idle-reaper");
            thread.setDaemon(true);
            return thread;
        }) : null;
        if (reaper != null) {
            reaper.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * An idle session for this key that still answers RSET, if there is one. Sessions that do not are
     * closed on the way.
     */
    Optional<SmtpSession> takeIdle(SessionKey key) {
        while (true) {
            Optional<SmtpSession> session = pollIdle(key);
            if (session.isEmpty()) {
                return Optional.empty();
            }
            if (isFresh(session.get()) && answersRset(session.get())) {
                return session;
            }
            discard(session.get());
        }
    }

    /** What {@link #reserve} could do for a caller that found no idle session of its own. */
    enum Reservation {
        /** A slot for a new connection is the caller's. */
        RESERVED,
        /** A session with the caller's key became idle meanwhile: take it instead of opening one. */
        IDLE_AVAILABLE,
        /** No slot within the wait. */
        TIMED_OUT
    }

    /**
     * Reserves a connection slot for a new session to this key's MX address, waiting up to {@code wait}.
     * When the address's slots are all held by idle sessions of other identities, one of them is closed.
     */
    Reservation reserve(SessionKey key, Duration wait) throws InterruptedException {
        InetSocketAddress remote = key.remote();
        long deadline = clock.getAsLong() + wait.toNanos();
        synchronized (this) {
            while (true) {
                int open = openPerHost.getOrDefault(remote, 0);
                if (open < maxConnectionsPerHost) {
                    openPerHost.put(remote, open + 1);
                    return Reservation.RESERVED;
                }
                Deque<SmtpSession> own = idle.get(key);
                if (own != null && !own.isEmpty()) {
                    return Reservation.IDLE_AVAILABLE;
                }
                Optional<SmtpSession> victim = anyIdleTo(remote);
                if (victim.isPresent()) {
                    // the victim's slot passes straight to the caller
                    removeIdle(victim.get());
                    closeLater(victim.get());
                    return Reservation.RESERVED;
                }
                long remaining = deadline - clock.getAsLong();
                if (remaining <= 0) {
                    return Reservation.TIMED_OUT;
                }
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            }
        }
    }

    /** Gives back a slot reserved for a session that could not be opened. */
    synchronized void unreserve(InetSocketAddress remote) {
        openPerHost.merge(remote, -1, Integer::sum);
        notifyAll();
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
            idle.computeIfAbsent(session.key(), k -> new ArrayDeque<>()).addFirst(session);
            notifyAll();
        }
    }

    /** Closes a session and frees its slot. */
    void discard(SmtpSession session) {
        session.quitAndClose();
        unreserve(session.key().remote());
    }

    public synchronized int openConnections() {
        return openPerHost.values().stream().mapToInt(Integer::intValue).sum();
    }

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

    @Override
    public void close() {
        if (reaper != null) {
            reaper.shutdownNow();
        }
        List<SmtpSession> all = new ArrayList<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(this::discard);
    }

    private synchronized Optional<SmtpSession> pollIdle(SessionKey key) {
        Deque<SmtpSession> sessions = idle.get(key);
        return sessions == null ? Optional.empty() : Optional.ofNullable(sessions.pollFirst());
    }

    private boolean isFresh(SmtpSession session) {
        return clock.getAsLong() - session.idleSinceNanos() < idleNanos;
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
        }
    }

    // closing sends QUIT and waits for the answer: never while holding the pool's lock
    private static void closeLater(SmtpSession session) {
        Thread closer = new Thread(session::quitAndClose, "tls-delivery-close");
        closer.setDaemon(true);
        closer.start();
    }

    private static boolean answersRset(SmtpSession session) {
        try {
            SmtpReply reply = session.connection().command("RSET");
            return reply.code() == 250;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
