package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Memory stays bounded: James at -Xmx512m takes 20,000 small mails for 50 domains whose only MX is down,
 * keeps them deferred in its queue, keeps running, and delivers every one of them exactly once when the
 * receiver comes back.
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 6) // after the classes on TlsScenarios.config's James: its own James (its own config) starts once
class QueuedBacklogIT {
    private static final int MAILS = Integer.getInteger("backlog.mails", 20_000);
    private static final int DOMAINS = 50;
    private static final String MX_ADDRESS = "127.0.1.50";
    private static final int CONTROL_PORT = 10998;
    private static final Duration RETRY_DELAY = Duration.ofSeconds(15);
    /** The backlog's domains, all with the one MX that is down until the test starts it. */
    @TestDns
    static final DnsRecords DNS = dns();

    private static DnsRecords dns() {
        DnsRecords.Builder records = DnsRecords.builder();
        for (int i = 1; i <= DOMAINS; i++) {
            records.mx(domain(i), "backlog-mx.receivers.test", 10);
        }
        return records.a("backlog-mx.receivers.test", MX_ADDRESS).build();
    }

    @Test
    void twentyThousandDeferredMailsAreKeptAndDeliveredWhenTheReceiverComesBack(TestEnvironment env) throws Exception {
        JamesServer james = env.james(config(env));

        ParallelSender.run(MAILS, 8, Submission::new, Duration.ofMinutes(5));
        james.awaitLog(DeliveryLog.deferrals(domain(DOMAINS)).regex(), Duration.ofSeconds(60));
        JamesHeap.Usage heapWhileQueued = JamesHeap.measure(james.pid());

        assertThat(james.isRunning()).isTrue();
        assertThat(heapWhileQueued.liveMb).as("live heap with the backlog queued, MB").isLessThan(400);
        assertThat(james.log()).doesNotContain("OutOfMemoryError");

        Path work = ItPaths.workDir().resolve("backlog");
        Files.createDirectories(work);
        try (SinkProcess sink = SinkProcess.start(work, List.of(MX_ADDRESS), TestNetwork.RECEIVER_PORT, MX_ADDRESS, CONTROL_PORT)) {
            awaitMessages(sink, Duration.ofMinutes(4));
            Set<String> ids = sink.records().stream().map(received -> received.id).collect(Collectors.toSet());

            assertThat(sink.stats().messages).as("each mail received exactly once").isEqualTo(MAILS);
            assertThat(ids).hasSize(MAILS);
        }
        assertThat(james.isRunning()).isTrue();
    }

    private static void awaitMessages(SinkProcess sink, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (sink.stats().messages < MAILS && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
    }

    /** The samples with the test policy, retrying every 15 s for long enough to outlive the outage. */
    private static JamesConfig config(TestEnvironment env) throws Exception {
        String mailetContainer = Files.readString(ItPaths.configSamples().resolve("mailetcontainer.xml"))
            .replace("<delayTime>4*5 minutes, 3*1 hour</delayTime>", "<delayTime>" + RETRY_DELAY.toSeconds() + " seconds</delayTime>")
            .replace("<maxRetries>7</maxRetries>", "<maxRetries>100</maxRetries>");
        return JamesConfig.samples()
            .withConfFile("tls-policy.xml", "<tlsPolicy><tls>ifavailable</tls></tlsPolicy>")
            .withConfFile("mailetcontainer.xml", mailetContainer);
    }

    private static String domain(int i) {
        return "backlog" + i + ".test";
    }

    /** One submission connection into James. */
    private static final class Submission implements ParallelSender.Connection {
        private BenchSmtpClient client;

        @Override
        public long send(int seq) throws java.io.IOException {
            if (client == null) {
                client = BenchSmtpClient.open(TestNetwork.JAMES_SMTP_ADDRESS, TestNetwork.JAMES_SMTP_PORT, "backlog.it.test");
            }
            String from = "backlog@senders.test";
            String to = "rcpt" + seq + "@" + domain(seq % DOMAINS + 1);
            client.send(from, to, BenchMail.message(from, to, BenchMail.id("backlog", seq)));
            return seq;
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
