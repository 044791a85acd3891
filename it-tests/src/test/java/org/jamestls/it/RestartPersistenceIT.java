package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.DnsServer;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.PostfixReceivers;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.ReceiverListener;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsMode;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 5, "Restart": deferred mail survives {@code kill -9} of James.
 *
 * <p>The memory server's queue is in memory, so this runs James 3.8.1 with the JPA app's persistent mail queue
 * (embedded ActiveMQ, KahaDB in var/store/activemq; {@code activemq-server/}) and config-samples/ as every IT does.
 * 20 mails go to a domain whose only MX is down; once every one is deferred (and the outgoing queue holds 20),
 * James gets SIGKILL, the receiver comes up, James starts again over the same HOME. Nothing may be lost or
 * duplicated: every mail is received exactly once or is still in the persistent queue (WebAdmin's size), and
 * none bounced.
 *
 * <p>It has its own James, receiver and dnsmasq on {@link TestNetwork}'s RESTART_* addresses instead of the
 * shared environment: it needs a James whose var/ outlives it, a receiver that is down and then up, and so it runs
 * beside the shared environment's classes (@Execution CONCURRENT; README, Tests). The retry delay is 20 s so that no delivery attempt is in flight at the
 * kill (the queue is at-least-once: a mail being retried at that instant could arrive twice).
 *
 * <p>Every one of the 20 must be delivered by the restarted James, none left in the queue. (Until the mailet's
 * dequeue loop was kept off its delivery workers, about half the runs held one mail in flight in ActiveMQ until the
 * next start: see DeliveryWorkers and the README, "Restart and persistence".)
 */
@Execution(ExecutionMode.CONCURRENT)
@Order(3)
class RestartPersistenceIT {

    private static final int MAILS = 20;
    private static final String DOMAIN = "restart.test";
    private static final String RETRY_DELAY = "20 seconds";
    private static final Duration DEFER_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    /** After the last expected arrival: long enough for a duplicate to show up, were one queued. */
    private static final Duration QUIET_WINDOW = Duration.ofSeconds(15);

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void deferredMailSurvivesKillMinus9AndIsDeliveredExactlyOnce() throws Exception {
        Path work = ItPaths.workDir().resolve("restart");
        ReceiverListener rx = new ReceiverListener(TestNetwork.RX_RESTART, TestNetwork.RX_RESTART_IP,
            TestNetwork.RECEIVER_PORT, TlsMode.STARTTLS);
        DnsServer dns = new DnsServer(work.resolve("dns"), TestNetwork.RESTART_DNS_ADDRESS, TestNetwork.DNS_PORT,
            DnsRecords.builder().a(rx.myhostname(), rx.ip()).mx(DOMAIN, rx.myhostname(), 10).build());
        started.add(dns.start());
        // built now, started only after the kill: until then nothing listens on rx-restart's address
        PostfixReceivers receivers = PostfixReceivers.builder(work.resolve("pf"))
            .listener(TestNetwork.RX_RESTART, TestNetwork.RX_RESTART_IP, TlsMode.STARTTLS)
            .build();
        assertThat(Processes.canConnect(rx.ip(), TestNetwork.RECEIVER_PORT)).as("receiver down").isFalse();

        JamesServer james = JamesServer.custom(ItPaths.jamesHome().resolveSibling("james-activemq-home"),
            JamesServer.Flavor.activeMqQueue(ItPaths.activeMqRuntime()), ItPaths.jamesRuntime(),
            JamesConfig.samples().withConfFile("mailetcontainer.xml", mailetContainerWithRetryDelay(RETRY_DELAY)),
            new JamesServer.Endpoints(TestNetwork.RESTART_JAMES_ADDRESS, TestNetwork.RESTART_JAMES_SMTP_PORT,
                TestNetwork.RESTART_JAMES_ADDRESS, TestNetwork.RESTART_JAMES_WEBADMIN_PORT,
                TestNetwork.RESTART_DNS_ADDRESS, TestNetwork.RECEIVER_PORT));
        started.add(james.start());
        assertThat(james.webAdmin().get("/mailQueues").body).contains("tls-outgoing");

        String run = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < MAILS; i++) {
            String subject = run + "-" + i;
            subjects.add(subject);
            james.submitter().mail().from("sender-" + run + "@source.test").to("user" + i + "-" + run + "@" + DOMAIN)
                .subject(subject).body("mail " + i + " of " + run).send();
        }

        // every mail tried once, found the MX down and went back to the persistent queue with a 20 s delay
        String deferred = DeliveryLog.deferrals(DOMAIN).recipient(run).retry(1).regex();
        boolean allDeferred = Processes.await(DEFER_TIMEOUT, () -> james.logLines(deferred).size() >= MAILS);
        assertThat(allDeferred).as("%d mails deferred within %s; log tail:%n%s", MAILS, DEFER_TIMEOUT,
            Processes.tail(james.log(), 30)).isTrue();
        assertThat(james.logLines(deferred)).hasSize(MAILS);
        assertThat(queueSize(james.webAdmin())).isEqualTo(MAILS);

        james.kill();
        assertThat(james.home().resolve("var/store/activemq/brokers/KahaDB")).isDirectory();

        started.add(receivers.start());
        james.restartKeepingHome();

        Processes.await(DELIVERY_TIMEOUT, () -> receivers.messagesMatching(run).size() >= MAILS
            && queueSize(james.webAdmin()) == 0);
        Processes.sleep(QUIET_WINDOW);
        List<ReceivedMessage> arrived = receivers.messagesMatching(run);

        Map<String, Long> copies = arrived.stream()
            .collect(Collectors.groupingBy(ReceivedMessage::subject, TreeMap::new, Collectors.counting()));
        long queued = queueSize(james.webAdmin());
        System.out.printf("RestartPersistenceIT: sent=%d delivered=%d still-queued=%d duplicates=%d%n", MAILS,
            copies.size(), queued, arrived.size() - copies.size());
        assertThat(copies.values()).as("copies received per subject: %s", copies).allMatch(n -> n == 1L);
        assertThat(subjects).containsAll(copies.keySet());
        assertThat(copies.size() + queued).as("delivered + still queued = sent: nothing lost").isEqualTo(MAILS);
        assertThat(copies.size()).as("every mail delivered after the restart, none held in the queue")
            .isEqualTo(MAILS);
        // delivered by the restarted James, on a retry (the first attempt was before the kill)
        assertThat(james.logLines("Delivery outcome \\(delivered\\): .*recipients=\\[user\\d+-" + run + "@"))
            .hasSize(copies.size());
        assertThat(james.logLines("Bounc\\w* .*" + run)).isEmpty();
    }

    private static long queueSize(WebAdminClient webAdmin) {
        WebAdminClient.Response r = webAdmin.get("/mailQueues/tls-outgoing");
        assertThat(r.status).as(r.body).isEqualTo(200);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"size\":(\\d+)").matcher(r.body);
        assertThat(m.find()).as(r.body).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** config-samples/mailetcontainer.xml with another delayTime (the other substitutions still apply). */
    private static String mailetContainerWithRetryDelay(String delay) {
        String sampleDelay = "<delayTime>4*5 minutes, 3*1 hour</delayTime>";
        try {
            String sample = Files.readString(ItPaths.configSamples().resolve("mailetcontainer.xml"));
            if (!sample.contains(sampleDelay)) {
                throw new IllegalStateException("config-samples/mailetcontainer.xml no longer contains " + sampleDelay);
            }
            return sample.replace(sampleDelay, "<delayTime>" + delay + "</delayTime>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
