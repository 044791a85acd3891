package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's demo, and a test of config-samples/tls-policy.xml as shipped (only the binding
 * addresses moved to loopback): a real James sends one mail per kind of destination to real Postfix
 * receivers and prints what became of each. The table is also written to target/demo-report.txt.
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 2) // after the classes on TlsScenarios.config's James: its own James (the sample policy) starts once
class SamplePolicyDemoIT {
    private static final Path REPORT = Path.of("target", "demo-report.txt");

    /** One demo mail: where it goes, through which binding, and what must happen. */
    private static final class DemoMail {
        final String recipient;
        final String binding;
        final Boolean deliveredOverTls;

        DemoMail(String recipient, String binding, Boolean deliveredOverTls) {
            this.recipient = recipient;
            this.binding = binding;
            this.deliveredOverTls = deliveredOverTls;
        }

        boolean bounces() {
            return deliveredOverTls == null;
        }
    }

    private static final List<DemoMail> MAILS = List.of(
        new DemoMail("alice@bank.example", null, true),  // global domain bank.example: required; MX offers STARTTLS
        new DemoMail("bob@payroll.example", null, null),  // global domain payroll.example: required; MX has no STARTTLS
        new DemoMail("carol@legacy.example", "tx1", false),  // binding tx1 / domain legacy.example: no; MX's TLS is broken
        new DemoMail("dan@partner.example", "transactional", true),  // group transactional / domain partner.example: required
        new DemoMail("erin@shop.example", null, false),  // global: ifavailable; MX has no STARTTLS
        new DemoMail("frank@news.example", "marketing", false));  // group marketing: ifavailable + fallback; MX's TLS is broken

    /** Each kind of destination's MX, as the comments above say, and the senders' domain for the DSN. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("bank.example", "rx-tls-1.receivers.test", 10)
        .mx("payroll.example", "rx-plain.receivers.test", 10)
        .mx("legacy.example", "rx-broken.receivers.test", 10)
        .mx("partner.example", "rx-tls-2.receivers.test", 10)
        .mx("shop.example", "rx-plain.receivers.test", 10)
        .mx("news.example", "rx-broken.receivers.test", 10)
        .mx("demo-senders.example", "rx-tls-2.receivers.test", 10)
        .build();

    @Test
    void samplePolicyDeliversEachKindOfDestinationAsDocumented(TestEnvironment env) throws Exception {
        JamesServer james = env.james(JamesConfig.samples().withConfFile("tls-policy.xml", samplePolicyOnLoopback()));
        String tag = SmtpSubmitter.uniqueSubject("demo").toLowerCase();
        String sender = tag + "@demo-senders.example";

        for (DemoMail mail : MAILS) {
            SmtpSubmitter.Mail submission = james.submitter().mail().from(sender).to(tagged(mail.recipient, tag))
                .subject("demo to " + mail.recipient);
            if (mail.binding != null) {
                submission.header("X-Binding", mail.binding);
            }
            submission.send();
        }

        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-22s %-14s %-62s %s", "recipient", "X-Binding", "tls decided by (from James's log)", "what happened"));
        for (DemoMail mail : MAILS) {
            String recipient = tagged(mail.recipient, tag);
            String outcome;
            if (mail.bounces()) {
                ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sender);
                assertThat(dsn.raw()).contains("Status: 5.7.10", "does not offer STARTTLS");
                assertThat(env.receivers().countMessagesFor(recipient)).isZero();
                outcome = "deferred " + JamesServer.TEST_MAX_RETRIES + "x, then DSN to sender: "
                    + statusLine(dsn).orElse("?");
            } else {
                ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
                assertThat(received.tlsUsed()).as(received.receivedHeader()).isEqualTo(mail.deliveredOverTls);
                outcome = "delivered to " + received.receiverName() + " from " + received.clientIp() + " as "
                    + received.heloName() + ", " + (received.tlsUsed()
                    ? received.tlsProtocol().orElse("TLS") + " " + received.tlsCipher().orElse("") : "plaintext");
            }
            rows.add(String.format("%-22s %-14s %-62s %s", mail.recipient, mail.binding == null ? "-" : mail.binding,
                decision(james, mail.recipient), outcome));
        }
        String report = String.join(System.lineSeparator(), rows) + System.lineSeparator();
        Files.writeString(REPORT, report);
    }

    /** "tls=required [global domain bank.example]", read from the mailet's per-attempt log line. */
    private static String decision(JamesServer james, String recipient) {
        String domain = recipient.substring(recipient.indexOf('@') + 1);
        DeliveryLog.Attempt attempt = DeliveryLog.parse(james.awaitLog(DeliveryLog.attempts(domain).regex(),
            TlsScenarios.DELIVERY_TIMEOUT));
        return "tls=" + attempt.tls() + " [" + attempt.decidedBy() + "] via " + attempt.binding();
    }

    private static String tagged(String recipient, String tag) {
        return recipient.replace("@", "+" + tag + "@");
    }

    private static Optional<String> statusLine(ReceivedMessage dsn) {
        return dsn.raw().lines().filter(line -> line.startsWith("Status: ")).findFirst()
            .map(line -> line.length() > 120 ? line.substring(0, 120) + "..." : line);
    }

    /** The shipped sample with its documentation addresses (192.0.2.x) moved to loopback. */
    private static String samplePolicyOnLoopback() {
        try {
            return Files.readString(ItPaths.configSamples().resolve("tls-policy.xml")).replace("192.0.2.", "127.0.2.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
