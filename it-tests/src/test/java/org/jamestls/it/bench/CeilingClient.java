package org.jamestls.it.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import javax.net.ssl.SSLContext;

import org.jamestls.it.support.TrustAll;

/**
 * The ceiling: the benchmark's own client sending straight to the sinks (through the proxy) with a given number of
 * sessions at once, the way an MTA would: each of {@code sessions} threads takes the next mail, borrows an idle
 * session to that mail's MX address from a shared pool or opens one (STARTTLS once), sends with PIPELINING and
 * CHUNKING when offered ({@link BenchSmtpClient#sendFast}), and puts the session back. So about {@code sessions}
 * sessions are open, spread over the MX addresses like the mails, and a reused session costs one round trip per mail.
 */
final class CeilingClient {

    private static final String SENDER = "ceiling@bench.test";

    private final SSLContext tls = TrustAll.context();
    private final BenchLayout layout;
    private final String phase;
    private final Map<String, ConcurrentLinkedDeque<BenchSmtpClient>> idle = new ConcurrentHashMap<>();

    private CeilingClient(BenchLayout layout, String phase) {
        this.layout = layout;
        this.phase = phase;
    }

    /** Sends mails 0..n-1 of {@code phase}; the start time of each (epoch micros), by mail number. */
    static long[] send(BenchLayout layout, String phase, int n, int sessions, Duration timeout) throws Exception {
        CeilingClient client = new CeilingClient(layout, phase);
        try {
            return ParallelSender.run(n, sessions, () -> client.new Worker(), timeout);
        } finally {
            client.closeAll();
        }
    }

    private BenchSmtpClient borrow(String address) throws IOException {
        BenchSmtpClient session = idle.computeIfAbsent(address, a -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (session != null) {
            return session;
        }
        session = BenchSmtpClient.open(address, BenchLayout.MX_PORT, "ceiling.bench.test");
        try {
            session.startTls(tls);
        } catch (IOException e) {
            session.close();
            throw e;
        }
        return session;
    }

    private void closeAll() {
        List<BenchSmtpClient> all = new ArrayList<>();
        idle.values().forEach(all::addAll);
        all.forEach(BenchSmtpClient::close);
    }

    /** One sending thread. */
    private final class Worker implements ParallelSender.Connection {
        @Override
        public long send(int seq) throws IOException {
            String to = layout.recipient(seq);
            byte[] message = BenchMail.message(SENDER, to, BenchMail.id(phase, seq));
            long start = SmtpSink.micros(Instant.now());
            String address = layout.mxAddress(seq);
            BenchSmtpClient session = borrow(address);
            try {
                session.sendFast(SENDER, to, message);
            } catch (IOException e) {
                session.close();
                throw e;
            }
            idle.get(address).addFirst(session);
            return start;
        }

        @Override
        public void close() {
            // sessions belong to the pool, closed once all workers are done
        }
    }
}
