package org.jamestls.it.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space stand-in for a network path with a round-trip time (this machine has no netem): a TCP proxy on
 * loopback that forwards each direction's bytes {@code RTT/2} after they arrived, in order, and counts per
 * connection the round trips the client waited for ({@link RoundTripCounter}: the client's side of the delay gives
 * the order in which the client sent and received, the server's side which server bytes answer new client bytes).
 *
 * <p>Model of one connection, with {@code t0} the moment the proxy accepted it (the kernel completes the
 * client's loopback handshake at once, so t0 is when the client called connect):
 * <ul>
 *   <li>TCP handshake: over a real path SYN, SYN-ACK and ACK take 1.5 RTT before the server accepts and sends
 *       its greeting, which reaches the client at 2 RTT. The proxy connects to the server {@code 1.5 RTT} after
 *       t0 and forwards the greeting RTT/2 later, so the client gets it at {@code t0 + 2 RTT}. (The client's
 *       {@code connect()} itself returns at once, not after 1 RTT; SMTP clients wait for the greeting anyway.)
 *       Bytes the client sends meanwhile wait until the server connection exists.</li>
 *   <li>Data: a read of {@code n} bytes at time {@code t} is written to the other side at {@code t + RTT/2}
 *       (never earlier: timers round up to the selector's millisecond, so at most about 1 ms late), after every
 *       earlier byte of that direction. End of stream travels the same way (half-close).</li>
 *   <li>Window: at most {@link #WINDOW} bytes per direction are held; beyond that the proxy stops reading that
 *       side until some are delivered, so memory is bounded (about 2 x 64 KiB per busy session) and a fast
 *       sender is slowed like TCP flow control would. SMTP commands and 4 KB mails never come near it.</li>
 *   <li>Bandwidth is not limited and no packet is lost.</li>
 * </ul>
 * One thread ({@code delay-proxy}) runs every connection with one {@link Selector} and a timer heap; it sleeps in
 * {@code select} until the next byte is due or a socket is ready (no busy loop), so hundreds of sessions cost
 * no thread each. With {@code rtt = 0} bytes are forwarded as soon as they are read (and round trips still
 * counted).
 *
 * <p>Counters ({@link #stats()}, since {@link #reset()}): sessions opened, open now, the most open at once, the most
 * in use at once (clients waiting for a reply; pooled idle sessions are open but not in use), round trips summed
 * over connections, bytes each way, and the proxy thread's CPU time. {@link #roundTripsOf} gives
 * the running round-trip count of the connection whose server side has a given local address, so a server in
 * the same JVM (the benchmark's sinks) can read it when a command arrives.
 */
final class DelayProxy implements AutoCloseable {

    /** Bytes held per direction and connection before the proxy stops reading that side. */
    static final int WINDOW = 64 * 1024;
    /** Connections held at once; more are closed on accept. */
    static final int MAX_SESSIONS = 2048;
    private static final int READ_BUFFER = 16 * 1024;

    /** One listening address and the server it leads to. */
    static final class Route {
        final InetSocketAddress listen;
        final InetSocketAddress upstream;

        Route(InetSocketAddress listen, InetSocketAddress upstream) {
            this.listen = listen;
            this.upstream = upstream;
        }
    }

    /**
     * Counters since the last {@link #reset()}; {@code cpuMillis} is the proxy thread's total. A session is in use
     * while its client waits for a reply ({@link RoundTripCounter#waiting()}); open but not in use = idle.
     */
    static final class Stats {
        final long sessionsOpened;
        final long openNow;
        final long maxOpen;
        final long maxInUse;
        final long roundTrips;
        final long bytesToServer;
        final long bytesToClient;
        final long cpuMillis;

        Stats(long sessionsOpened, long openNow, long maxOpen, long maxInUse, long roundTrips, long bytesToServer,
              long bytesToClient, long cpuMillis) {
            this.sessionsOpened = sessionsOpened;
            this.openNow = openNow;
            this.maxOpen = maxOpen;
            this.maxInUse = maxInUse;
            this.roundTrips = roundTrips;
            this.bytesToServer = bytesToServer;
            this.bytesToClient = bytesToClient;
            this.cpuMillis = cpuMillis;
        }
    }

    private final long halfRttNanos;
    private final long connectDelayNanos;
    private final Selector selector;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Set<Session> sessions = new HashSet<>();
    private final Map<InetSocketAddress, RoundTripCounter> byUpstreamAddress = new ConcurrentHashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Thread thread;
    private volatile boolean running = true;
    private long timerSequence;

    private final AtomicLong sessionsOpened = new AtomicLong();
    private final AtomicLong openNow = new AtomicLong();
    private final AtomicLong maxOpen = new AtomicLong();
    private final AtomicLong inUseNow = new AtomicLong();
    private final AtomicLong maxInUse = new AtomicLong();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong bytesToServer = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();

    private DelayProxy(Duration rtt, List<Route> routes) throws IOException {
        if (rtt.isNegative()) {
            throw new IllegalArgumentException("negative RTT " + rtt);
        }
        halfRttNanos = rtt.toNanos() / 2;
        connectDelayNanos = rtt.toNanos() * 3 / 2;
        selector = Selector.open();
        try {
            for (Route route : routes) {
                ServerSocketChannel server = ServerSocketChannel.open();
                listeners.add(server);
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(route.listen, 512);
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT, route);
                bound.add((InetSocketAddress) server.getLocalAddress());
            }
        } catch (IOException e) {
            closeListeners();
            selector.close();
            throw e;
        }
        thread = new Thread(this::run, "delay-proxy");
        thread.setDaemon(true);
    }

    /** Listens on every route's address and forwards with {@code rtt}; returns once listening. */
    static DelayProxy start(Duration rtt, List<Route> routes) throws IOException {
        DelayProxy proxy = new DelayProxy(rtt, routes);
        proxy.thread.start();
        return proxy;
    }

    /** The bound listening addresses, in the order of the routes (port 0 resolved). */
    List<InetSocketAddress> listening() {
        return List.copyOf(bound);
    }

    Stats stats() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(thread.getId()) : -1;
        return new Stats(sessionsOpened.get(), openNow.get(), maxOpen.get(), maxInUse.get(), roundTrips.get(),
            bytesToServer.get(), bytesToClient.get(), cpu < 0 ? -1 : cpu / 1_000_000);
    }

    /** New counters; the most open at once restarts from the sessions open now. */
    void reset() {
        sessionsOpened.set(0);
        roundTrips.set(0);
        bytesToServer.set(0);
        bytesToClient.set(0);
        maxOpen.set(openNow.get());
        maxInUse.set(inUseNow.get());
    }

    /** Keeps the in-use count in step with a session's waiting state, before and after an event. */
    private void inUse(boolean before, boolean after) {
        if (before == after) {
            return;
        }
        long now = after ? inUseNow.incrementAndGet() : inUseNow.decrementAndGet();
        if (after) {
            maxInUse.accumulateAndGet(now, Math::max);
        }
    }

    /**
     * Round trips so far of the open connection whose server-side socket has local address {@code upstreamLocal}
     * (the server sees it as the remote address), or -1 when there is none.
     */
    long roundTripsOf(InetSocketAddress upstreamLocal) {
        RoundTripCounter counter = byUpstreamAddress.get(upstreamLocal);
        return counter == null ? -1 : counter.roundTrips();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the proxy thread ----

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                runDueTimers(now);
                Timer next = timers.peek();
                if (next == null) {
                    selector.select();
                } else {
                    long waitNanos = next.due - System.nanoTime();
                    if (waitNanos <= 0) {
                        selector.selectNow();
                    } else {
                        // round up: a byte is never forwarded before it is due
                        selector.select((waitNanos + 999_999) / 1_000_000);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("delay-proxy stopped: " + e);
            e.printStackTrace();
        } finally {
            for (Session s : new ArrayList<>(sessions)) {
                s.close();
            }
            closeListeners();
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void runDueTimers(long now) {
        for (Timer t = timers.peek(); t != null && t.due - now <= 0; t = timers.peek()) {
            timers.poll();
            t.action.run();
        }
    }

    private void schedule(long due, Runnable action) {
        timers.add(new Timer(due, timerSequence++, action));
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Object attachment = key.attachment();
        if (attachment instanceof Route) {
            accept((ServerSocketChannel) key.channel(), (Route) attachment);
            return;
        }
        Session session = (Session) attachment;
        boolean clientSide = key == session.clientKey;
        try {
            if (key.isConnectable()) {
                session.finishConnect();
                return;
            }
            if (key.isWritable()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                (clientSide ? session.toClient : session.toServer).pump(System.nanoTime());
            }
            if (key.isValid() && key.isReadable()) {
                (clientSide ? session.toServer : session.toClient).read();
            }
        } catch (IOException e) {
            session.close();
        }
    }

    /** Accepts what is waiting (bounded per wake-up, so a burst of connects cannot starve the other sessions). */
    private void accept(ServerSocketChannel server, Route route) {
        for (int i = 0; i < 64; i++) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (client == null) {
                return;
            }
            try {
                if (sessions.size() >= MAX_SESSIONS) {
                    client.close();
                    continue;
                }
                Session session = new Session(client, route.upstream);
                sessions.add(session);
                sessionsOpened.incrementAndGet();
                long open = openNow.incrementAndGet();
                maxOpen.accumulateAndGet(open, Math::max);
                inUse(false, session.counter.waiting());
                if (connectDelayNanos == 0) {
                    session.connect();
                } else {
                    schedule(System.nanoTime() + connectDelayNanos, session::connect);
                }
            } catch (IOException e) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // gone
                }
            }
        }
    }

    private void closeListeners() {
        for (ServerSocketChannel s : listeners) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** A due time and what to do then; equal times run in scheduling order. */
    private static final class Timer implements Comparable<Timer> {
        final long due;
        final long sequence;
        final Runnable action;

        Timer(long due, long sequence, Runnable action) {
            this.due = due;
            this.sequence = sequence;
            this.action = action;
        }

        @Override
        public int compareTo(Timer o) {
            long d = due - o.due;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(sequence, o.sequence);
        }
    }

    /**
     * Bytes read at one time, due on the other side at {@code due}; {@code data == null} is end of stream. Server
     * bytes carry the {@link RoundTripCounter#serverSent} token of the moment they were read.
     */
    private static final class Chunk {
        final long due;
        final ByteBuffer data;
        final long token;

        Chunk(long due, ByteBuffer data, long token) {
            this.due = due;
            this.data = data;
            this.token = token;
        }
    }

    /** One client connection and its server connection. */
    private final class Session {
        final SocketChannel client;
        final SelectionKey clientKey;
        final InetSocketAddress upstreamAddress;
        final RoundTripCounter counter = new RoundTripCounter();
        final Pipe toServer = new Pipe(this, true);
        final Pipe toClient = new Pipe(this, false);
        SocketChannel upstream;
        SelectionKey upstreamKey;
        InetSocketAddress upstreamLocal;
        boolean upstreamReady;
        boolean closed;

        Session(SocketChannel client, InetSocketAddress upstreamAddress) throws IOException {
            this.client = client;
            this.upstreamAddress = upstreamAddress;
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            clientKey = client.register(selector, SelectionKey.OP_READ, this);
        }

        void connect() {
            if (closed) {
                return;
            }
            try {
                upstream = SocketChannel.open();
                upstream.configureBlocking(false);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = upstream.connect(upstreamAddress);
                upstreamKey = upstream.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
                    this);
                if (connected) {
                    connected();
                }
            } catch (IOException e) {
                close();
            }
        }

        void finishConnect() throws IOException {
            if (upstream.finishConnect()) {
                upstreamKey.interestOps(SelectionKey.OP_READ);
                connected();
            }
        }

        private void connected() throws IOException {
            upstreamReady = true;
            upstreamLocal = (InetSocketAddress) upstream.getLocalAddress();
            byUpstreamAddress.put(upstreamLocal, counter);
            toServer.pump(System.nanoTime());
        }

        SocketChannel channel(boolean server) {
            return server ? upstream : client;
        }

        SelectionKey key(boolean server) {
            return server ? upstreamKey : clientKey;
        }

        void finishIfDone() {
            if (toServer.eofDelivered && toClient.eofDelivered) {
                close();
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            sessions.remove(this);
            openNow.decrementAndGet();
            inUse(counter.waiting(), false);
            if (upstreamLocal != null) {
                byUpstreamAddress.remove(upstreamLocal, counter);
            }
            for (SocketChannel c : new SocketChannel[] {client, upstream}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }
    }

    /** One direction of a session: bytes read from one side, held until due, written to the other. */
    private final class Pipe {
        final Session session;
        /** true: client to server. */
        final boolean towardsServer;
        final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
        int held;
        boolean readingPaused;
        boolean eofRead;
        boolean eofDelivered;
        boolean timerSet;

        Pipe(Session session, boolean towardsServer) {
            this.session = session;
            this.towardsServer = towardsServer;
        }

        /** Reads what the source side has (up to the window), queues it with its due time. */
        void read() throws IOException {
            SocketChannel source = session.channel(!towardsServer);
            long now = System.nanoTime();
            for (int i = 0; i < 64 && held < WINDOW && !eofRead; i++) {
                readBuffer.clear();
                readBuffer.limit(Math.min(READ_BUFFER, WINDOW - held));
                int n = source.read(readBuffer);
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    eofRead = true;
                    if (towardsServer) {
                        boolean before = session.counter.waiting();
                        session.counter.clientClosed();
                        inUse(before, session.counter.waiting());
                    }
                    SelectionKey key = session.key(!towardsServer);
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                    chunks.add(new Chunk(now + halfRttNanos, null, 0));
                    break;
                }
                readBuffer.flip();
                ByteBuffer copy = ByteBuffer.allocate(n);
                copy.put(readBuffer).flip();
                chunks.add(new Chunk(now + halfRttNanos, copy, towardsServer ? 0 : session.counter.serverSent()));
                held += n;
                (towardsServer ? bytesToServer : bytesToClient).addAndGet(n);
                if (towardsServer) {
                    boolean before = session.counter.waiting();
                    session.counter.clientSent();
                    inUse(before, session.counter.waiting());
                }
            }
            if (held >= WINDOW && !readingPaused && !eofRead) {
                readingPaused = true;
                SelectionKey key = session.key(!towardsServer);
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
            pump(now);
        }

        /** Writes every due chunk it can; sets a timer for the next one, or waits for the socket to drain. */
        void pump(long now) {
            if (session.closed || (towardsServer && !session.upstreamReady)) {
                return;
            }
            SocketChannel target = session.channel(towardsServer);
            try {
                for (Chunk c = chunks.peek(); c != null && c.due - now <= 0; c = chunks.peek()) {
                    if (c.data == null) {
                        chunks.poll();
                        eofDelivered = true;
                        target.shutdownOutput();
                        session.finishIfDone();
                        return;
                    }
                    if (!towardsServer && c.data.position() == 0) {
                        boolean before = session.counter.waiting();
                        if (session.counter.serverDelivered(c.token)) {
                            roundTrips.incrementAndGet();
                        }
                        inUse(before, session.counter.waiting());
                    }
                    int before = c.data.remaining();
                    target.write(c.data);
                    int written = before - c.data.remaining();
                    held -= written;
                    if (towardsServer) {
                        session.counter.forwarded(written);
                    }
                    if (c.data.hasRemaining()) {
                        SelectionKey key = session.key(towardsServer);
                        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                        resumeReadingIfRoom();
                        return;
                    }
                    chunks.poll();
                }
            } catch (IOException e) {
                session.close();
                return;
            }
            resumeReadingIfRoom();
            Chunk next = chunks.peek();
            if (next != null && !timerSet) {
                timerSet = true;
                schedule(next.due, () -> {
                    timerSet = false;
                    pump(System.nanoTime());
                });
            }
        }

        private void resumeReadingIfRoom() {
            if (readingPaused && held < WINDOW / 2) {
                readingPaused = false;
                SelectionKey key = session.key(!towardsServer);
                if (key.isValid()) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_READ);
                }
            }
        }
    }
}
