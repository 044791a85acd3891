package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failures after a successful transaction, in a real James with a real Postfix: the relay runs the TEST VEHICLE
 * {@code FaultInjectingTlsRemoteDelivery} (the mailet itself, whose first hand-over of each mail to the onSuccess
 * processor and to the bounce processor throws, and whose first delayed re-enqueue of each mail throws), and the
 * onSuccess processor runs the test vehicle {@code ThrowingMailet} after the audit line. One mail to a recipient the
 * receiver accepts, one it refuses (550) and one it defers (451) every time.
 *
 * <p>What must hold: the accepted recipient has the mail exactly once (nothing re-sent although every step after its
 * transaction failed once), its onSuccess copy is handed over once (on the retry), the refused recipient gets one DSN
 * at once-after-the-retry with 5.1.1, the deferred one is retried on the schedule and gets one DSN when retries run
 * out, and the queue ends empty. The throwing onSuccess mailet is James's to handle (its error processor): James 3.8.1's
 * {@code sendMail} only puts the copy on the spool, so such a failure never reaches the delivery mailet.
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 3) // after the classes on TlsScenarios.config's James: its own James (the test vehicle) starts once
class SettleFaultsIT {
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder().mx("faults.settle.test", "rx-tls-1.receivers.test", 10).build();

    @Test
    void everyStepAfterTheTransactionFailsOnceAndStillEachRecipientEndsOnceDeliveredOrBounced(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env, faultyConfig(env));
        String tag = SmtpSubmitter.uniqueSubject("s").toLowerCase();
        String accepted = "ok-" + tag + "@faults.settle.test";
        String refused = "reject-" + tag + "@faults.settle.test";
        String deferred = "tempfail-" + tag + "@faults.settle.test";
        String sender = TlsScenarios.uniqueSender("settle");

        james.submitter().mail().from(sender).to(accepted, refused, deferred).send();

        env.receivers().awaitMessagesFor(accepted, 1, TlsScenarios.DELIVERY_TIMEOUT);
        // the sender also gets James's own error notice for the onSuccess copy the throwing mailet failed on
        assertThat(Processes.await(TlsScenarios.BOUNCE_TIMEOUT, () -> !dsnsFor(mailFor(env, sender), refused).isEmpty()
            && !dsnsFor(mailFor(env, sender), deferred).isEmpty())).as("both DSNs arrive").isTrue();
        Processes.await(TlsScenarios.DELIVERY_TIMEOUT, () -> queueSize(james.webAdmin()) == 0);
        List<String> dsns = mailFor(env, sender);

        assertThat(env.receivers().countMessagesFor(accepted)).as("accepted once, never re-sent").isEqualTo(1);
        assertThat(james.logLines("Delivery outcome \\(delivered\\): .*recipients=\\[" + Pattern.quote(accepted) + "\\]"))
            .as("one onSuccess copy").hasSize(1);
        assertThat(james.logLines("ThrowingMailet: injected failure")).as("the onSuccess mailet threw").isNotEmpty();
        assertThat(dsnsFor(dsns, refused)).singleElement().satisfies(dsn ->
            assertThat(dsn).contains("Status: 5.1.1").doesNotContain("retries"));
        assertThat(dsnsFor(dsns, deferred)).singleElement().satisfies(dsn ->
            assertThat(dsn).contains("failed after 5 retries"));
        assertThat(dsnsFor(dsns, accepted)).as("no DSN for the accepted recipient").isEmpty();
        assertThat(env.receivers().countMessagesFor(refused) + env.receivers().countMessagesFor(deferred)).isZero();
        assertThat(queueSize(james.webAdmin())).as("nothing left in tls-outgoing").isZero();
        assertThat(james.logLines("Test vehicle: injected fault .*" + tag)).as("each step failed once")
            .hasSize(3)
            .anyMatch(line -> line.contains("to processor delivered"))
            .anyMatch(line -> line.contains("to processor bounces"))
            .anyMatch(line -> line.contains("re-enqueuing"));
        assertThat(james.logLines("The queue refused mail .*" + tag)).hasSize(1);
    }

    /** The shared ITs' configuration, with the test vehicle in the relay and after the onSuccess audit line. */
    private static JamesConfig faultyConfig(TestEnvironment env) {
        JamesConfig config = TlsScenarios.config(env);
        String mailets = config.confFiles().get("mailetcontainer.xml")
            .replace("class=\"org.jamestls.mailet.TlsRemoteDelivery\"",
                "class=\"org.jamestls.testvehicle.FaultInjectingTlsRemoteDelivery\"")
            .replace("<onSuccess>delivered</onSuccess>", "<onSuccess>delivered</onSuccess>\n"
                + "              <faultFirstHandOverTo>delivered, bounces</faultFirstHandOverTo>\n"
                + "              <faultFirstRequeue>true</faultFirstRequeue>\n"
                + "              <faultRecipientDomain>faults.settle.test</faultRecipientDomain>")
            .replace("<mailet match=\"All\" class=\"org.jamestls.mailet.LogDeliveryOutcome\"/>\n            <mailet match=\"All\" class=\"Null\"/>",
                "<mailet match=\"All\" class=\"org.jamestls.mailet.LogDeliveryOutcome\"/>\n"
                + "            <mailet match=\"All\" class=\"org.jamestls.testvehicle.ThrowingMailet\"/>\n"
                + "            <mailet match=\"All\" class=\"Null\"/>");
        assertThat(mailets).contains("FaultInjectingTlsRemoteDelivery", "faultFirstRequeue", "ThrowingMailet");
        return config.withConfFile("mailetcontainer.xml", mailets).withTestVehicle();
    }

    private static List<String> mailFor(TestEnvironment env, String recipient) {
        return env.receivers().messagesFor(recipient).stream().map(ReceivedMessage::raw).collect(Collectors.toList());
    }

    private static List<String> dsnsFor(List<String> dsns, String recipient) {
        return dsns.stream().filter(raw -> raw.contains("Final-Recipient: rfc822; " + recipient)).collect(Collectors.toList());
    }

    private static long queueSize(WebAdminClient webAdmin) {
        WebAdminClient.Response response = webAdmin.get("/mailQueues/tls-outgoing");
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(response.body);
        assertThat(size.find()).as(response.body).isTrue();
        return Long.parseLong(size.group(1));
    }
}
