package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.DnsServer;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesCluster;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The contrast of issue 13: James 3.8.1's stock {@code RemoteDelivery} on the same two-node RabbitMQ cluster, with the
 * same schedule as {@link ClusterIT} ({@code delayTime} 20 s, {@code maxRetries} 3) and an MX that is down. The queue
 * ignores the delay (it logs {@code Ignored delay upon enqueue}), so the three retries come at once and the mail
 * bounces within about a second instead of after a minute.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the shared environment's classes, see JamesCluster.ADDRESSES
@ResourceLock(JamesCluster.ADDRESSES)
@Order(5)
class ClusterStockRemoteDeliveryIT {

    @Test
    void stockRemoteDeliveryRetriesAtOnceOnTheRabbitMqQueue() throws Exception {
        String run = "st" + UUID.randomUUID().toString().substring(0, 6);
        java.nio.file.Path work = ItPaths.workDir().resolve("cluster-stock");
        DnsRecords records = DnsRecords.builder()
            .a("dead-mx.receivers.test", JamesCluster.DEAD_MX_IP).mx("down.test", "dead-mx.receivers.test", 10).build();
        String stock = JamesCluster.replacing(JamesCluster.replacing(
            JamesConfig.resource(JamesConfig.STOCK_REMOTE_DELIVERY_RESOURCE),
            "<delayTime>5*2 seconds</delayTime>", "<delayTime>20 seconds</delayTime>"),
            "<maxRetries>5</maxRetries>", "<maxRetries>" + ClusterIT.MAX_RETRIES + "</maxRetries>");
        try (DnsServer dns = new DnsServer(work.resolve("dns"), JamesCluster.DNS_ADDRESS, TestNetwork.DNS_PORT, records).start();
             JamesCluster cluster = JamesCluster.up(work.resolve("work"), 2, sample -> stock)) {
            long sent = System.currentTimeMillis();
            for (int i = 0; i < 2; i++) {
                // null sender: no DSN, so the only re-enqueues logged are these two mails' own
                cluster.submitter(i + 1).mail().from("").to("s" + i + "-" + run + "@down.test")
                    .subject(run + "-" + i).body("stock").send();
            }
            String ignored = "Ignored delay upon enqueue of (\\S+) : PT20S";
            boolean retried = Processes.await(Duration.ofSeconds(60),
                () -> cluster.logLines(ignored).size() >= 2 * ClusterIT.MAX_RETRIES);
            Processes.sleep(Duration.ofSeconds(3)); // a fourth retry, were there one, would show now
            Map<String, List<Long>> byMail = new TreeMap<>();
            for (String line : cluster.logLines(ignored)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(ignored).matcher(line);
                m.find();
                byMail.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(JamesCluster.timeOf(line));
            }
            StringBuilder report = new StringBuilder("ClusterStockRemoteDeliveryIT: stock RemoteDelivery, delayTime 20 s, "
                + "maxRetries 3, on the RabbitMQ queue:");
            assertThat(retried).as("stock retries logged").isTrue();
            assertThat(byMail).hasSize(2);
            for (Map.Entry<String, List<Long>> mail : byMail.entrySet()) {
                List<Long> times = mail.getValue();
                times.sort(null);
                long span = times.get(times.size() - 1) - times.get(0);
                report.append("\n  ").append(mail.getKey()).append(": ").append(times.size())
                    .append(" re-enqueues within ").append(span).append(" ms, first ").append(times.get(0) - sent)
                    .append(" ms after submission");
                assertThat(times).hasSize(ClusterIT.MAX_RETRIES);
                assertThat(span).as("all retries at once, not 20 s apart").isLessThan(ClusterIT.DELAY.toMillis() / 4);
            }
            System.out.println(report);
            // then it gave up: nothing left in its queue (a null sender gets no DSN, so no bounce line to wait for)
            assertThat(Processes.await(Duration.ofSeconds(30), () -> cluster.queued("outgoing") == 0))
                .as("stock queue empty after the retries").isTrue();
            assertThat(cluster.logLines(ignored)).hasSize(2 * ClusterIT.MAX_RETRIES);
        }
    }
}
