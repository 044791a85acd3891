package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.DnsServer;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesCluster;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.SmtpConnection;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Issue 13, "no busy loop": two nodes hold 20,000 deferred mails ({@code -Dcluster.idle.mails=N}) in their delay queue
 * (retry in 10 minutes, so none falls due during the test) and are measured idle: CPU seconds of each node's JVM and
 * of RabbitMQ over 30 s, as a share of one core. A strategy that polled or re-enqueued the mails it waits for would
 * show here. Printed; asserted below 5 % of a core per node (the figure goes in the README).
 */
@Execution(ExecutionMode.CONCURRENT) // beside the shared environment's classes, see JamesCluster.ADDRESSES
@ResourceLock(JamesCluster.ADDRESSES)
@Order(4)
class ClusterIdleCpuIT {
    private static final int MAILS = Integer.getInteger("cluster.idle.mails", 20_000);
    private static final Duration WINDOW = Duration.ofSeconds(30);

    @Test
    void nodesHoldingTwentyThousandDeferredMailsAreIdleBetweenDueTimes() throws Exception {
        java.nio.file.Path work = ItPaths.workDir().resolve("cluster-idle");
        DnsRecords records = DnsRecords.builder()
            .a("dead-mx.receivers.test", JamesCluster.DEAD_MX_IP).mx("down.test", "dead-mx.receivers.test", 10).build();
        try (DnsServer dns = new DnsServer(work.resolve("dns"), JamesCluster.DNS_ADDRESS, TestNetwork.DNS_PORT, records).start();
             JamesCluster cluster = JamesCluster.up(work.resolve("work"), 2, container -> JamesCluster.replacing(
                 container, "<delayTime>4*5 minutes, 3*1 hour</delayTime>", "<delayTime>10 minutes</delayTime>"))) {
            long start = System.currentTimeMillis();
            submit(MAILS);
            long submitted = System.currentTimeMillis();
            boolean deferred = Processes.await(Duration.ofMinutes(5), () -> cluster.queued("tls-outgoing") >= MAILS
                && cluster.logLines("Deferring mail=").size() >= MAILS);
            long settled = System.currentTimeMillis();
            assertThat(deferred).as("%d deferred; queued %d", MAILS, cluster.queued("tls-outgoing")).isTrue();
            Processes.sleep(Duration.ofSeconds(5)); // the last deliveries' threads finish

            double[] before = {cluster.cpuSeconds(1), cluster.cpuSeconds(2), cluster.rabbitMqCpuSeconds()};
            long t0 = System.nanoTime();
            Processes.sleep(WINDOW);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] used = {cluster.cpuSeconds(1) - before[0], cluster.cpuSeconds(2) - before[1],
                cluster.rabbitMqCpuSeconds() - before[2]};
            long queued = cluster.queued("tls-outgoing");
            System.out.printf("ClusterIdleCpuIT: %d mails submitted in %.1f s, all deferred after %.1f s; %d in the delay "
                    + "queue; over %.0f s idle: node1 %.2f CPU-s (%.2f %% of a core), node2 %.2f CPU-s (%.2f %%), RabbitMQ "
                    + "%.2f CPU-s (%.2f %%)%n", MAILS, (submitted - start) / 1000.0, (settled - start) / 1000.0, queued,
                seconds, used[0], 100 * used[0] / seconds, used[1], 100 * used[1] / seconds, used[2], 100 * used[2] / seconds);
            assertThat(queued).as("still all held").isEqualTo(MAILS);
            assertThat(cluster.logLines("Delivery attempt: mail=").size()).as("no retry attempt yet").isEqualTo(MAILS);
            assertThat(100 * used[0] / seconds).as("node1 %% of a core").isLessThan(5.0);
            assertThat(100 * used[1] / seconds).as("node2 %% of a core").isLessThan(5.0);
        }
    }

    /** 8 connections, half to each node, many mails per connection (RSET between them). */
    private static void submit(int mails) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int node = t % 2 + 1;
            futures.add(pool.submit(() -> {
                try (SmtpConnection c = SmtpConnection.open(JamesCluster.nodeAddress(node), JamesCluster.NODE_SMTP_PORT)) {
                    c.expect(250, "EHLO idle.it.test");
                    for (int seq = next.getAndIncrement(); seq < mails; seq = next.getAndIncrement()) {
                        c.expect(250, "MAIL FROM:<idle@senders.test>");
                        c.expect(250, "RCPT TO:<i" + seq + "@down.test>");
                        c.expect(354, "DATA");
                        c.expect(250, "Subject: idle " + seq + "\r\n\r\nheld mail " + seq + "\r\n.");
                    }
                    c.command("QUIT");
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
    }
}
