package org.jamestls.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.KnotDns;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TlsClient;
import org.jamestls.it.support.WebAdminClient;

/**
 * The fixture shared by the TlsRemoteDelivery integration tests: the sample James configuration with
 * the test policy, DNS for every test domain, and helpers to send a mail and find what became of it.
 */
final class TlsScenarios {
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    /** Long enough for every retry of the test schedule (5 x 2 s) plus the DSN's own delivery. */
    static final Duration BOUNCE_TIMEOUT = Duration.ofSeconds(90);
    static final String SENDER_DOMAIN = "senders.test";

    static final String[] VERIFY_MODES = {"no", "ca", "host", "optional"};
    static final String[] CERTIFICATE_KINDS = {"valid", "expired", "wronghost", "selfsigned", "untrusted"};

    private static boolean dnsInstalled;

    private TlsScenarios() {
    }

    /**
     * The sample configuration with the test policy, pointing at this run's certificate directory, and the
     * mailet's DANE parameters pointing at the run's signed zones (Knot) and their exported trust anchor.
     */
    static JamesConfig config(TestEnvironment env) {
        KnotDns knot = env.knot();
        String mailets = readSample("mailetcontainer.xml").replace("<onSuccess>delivered</onSuccess>",
            "<onSuccess>delivered</onSuccess>\n              <dnssecResolver>" + knot.resolverSpec() + "</dnssecResolver>"
                + "\n              <dnssecTrustAnchor>file://" + knot.trustAnchorFile().toAbsolutePath()
                + "</dnssecTrustAnchor>");
        return JamesConfig.samples()
            .withConfFile("tls-policy.xml", JamesConfig.resource("/it-tls-policy.xml")
                .replace("${certs}", env.certificates().dir().toAbsolutePath().toString()))
            .withConfFile("mailetcontainer.xml", mailets);
    }

    private static String readSample(String name) {
        try {
            return Files.readString(ItPaths.configSamples().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audit line LogDeliveryOutcome writes from the mail's jamestls.outcome.* attributes. */
    static String outcomeLine(TestEnvironment env, String processor, String recipient) {
        return james(env).awaitLog("Delivery outcome \\(" + processor + "\\): .*recipients=\\[" + recipient
            .replace(".", "\\.") + "\\]", DELIVERY_TIMEOUT);
    }

    /** James with our mailet, sample config and the test policy; DNS records are installed once per run. */
    static synchronized JamesServer james(TestEnvironment env) {
        if (!dnsInstalled) {
            env.dns().update(records -> tlsOptionDomains(records)
                .mx(SENDER_DOMAIN, "rx-tls-2.receivers.test", 10)
                .mx("no.tls.matrix.test", "rx-tls-1.receivers.test", 10)
                .mx("no.plain.matrix.test", "rx-plain.receivers.test", 10)
                .mx("no.broken.matrix.test", "rx-broken.receivers.test", 10)
                .mx("ifavailable.tls.matrix.test", "rx-tls-1.receivers.test", 10)
                .mx("ifavailable.plain.matrix.test", "rx-plain.receivers.test", 10)
                .mx("ifavailable.broken.matrix.test", "rx-broken.receivers.test", 10)
                .mx("required.tls.matrix.test", "rx-tls-1.receivers.test", 10)
                .mx("required.plain.matrix.test", "rx-plain.receivers.test", 10)
                .mx("required.broken.matrix.test", "rx-broken.receivers.test", 10)
                .mx("failover.test", "rx-plain.receivers.test", 10)
                .mx("failover.test", "rx-tls-2.receivers.test", 20)
                .mx("fixed-later.test", "rx-switch.receivers.test", 10)
                .mx("fallback.broken.test", "rx-broken.receivers.test", 10)
                .mx("gdom.prec.test", "rx-tls-1.receivers.test", 10)
                .mx("grpdom.prec.test", "rx-tls-1.receivers.test", 10)
                .mx("both.prec.test", "rx-tls-1.receivers.test", 10)
                .mx("other.prec.test", "rx-tls-1.receivers.test", 10)
                .mx("no.rcpt.test", "rx-tls-1.receivers.test", 10)
                .mx("ifavailable.rcpt.test", "rx-tls-1.receivers.test", 10)
                .mx("required.rcpt.test", "rx-tls-1.receivers.test", 10)
                // no MX at all: James falls back to the A record
                .a("a-only.test", "127.0.0.11"));
            dnsInstalled = true;
        }
        return env.james(config(env));
    }

    /** MX records for the tlsVerify matrix, the client-certificate and the protocol/cipher domains. */
    private static DnsRecords.Builder tlsOptionDomains(DnsRecords.Builder records) {
        for (String mode : VERIFY_MODES) {
            for (String kind : CERTIFICATE_KINDS) {
                records.mx(mode + "." + kind + ".verify.test", "rx-" + kind + ".receivers.test", 10);
            }
        }
        for (String keyFormat : new String[] {"pkcs8", "pkcs1", "sec1", "none"}) {
            records.mx(keyFormat + ".clientcert.test", "rx-clientcert.receivers.test", 10);
        }
        for (String restriction : new String[] {"tls13only", "othercipher", "matching"}) {
            records.mx(restriction + ".restrict.test", "rx-tls12.receivers.test", 10);
        }
        return records;
    }

    /** A sender address of its own per test, so the DSN it gets back is easy to find. */
    static String uniqueSender(String prefix) {
        return SmtpSubmitter.uniqueSubject(prefix).replaceAll("[^A-Za-z0-9-]", "-").toLowerCase() + "@" + SENDER_DOMAIN;
    }

    /** A recipient address of its own, e.g. {@code prec-u-1a2b3c4d@other.prec.test}. */
    static String uniqueRecipient(String prefix, String domain) {
        return prefix + "-" + SmtpSubmitter.uniqueSubject("u").toLowerCase() + "@" + domain;
    }

    /** The one message a receiver got for this recipient, waiting for it (bounded). */
    static ReceivedMessage awaitDelivered(TestEnvironment env, String recipient) {
        return env.receivers().awaitMessagesFor(recipient, 1, DELIVERY_TIMEOUT).get(0);
    }

    static ReceivedMessage awaitDsn(TestEnvironment env, String sender) {
        return env.receivers().awaitMessagesFor(sender, 1, BOUNCE_TIMEOUT).get(0);
    }

    /** A local domain of James with one user who may submit with SMTP AUTH (after STARTTLS, as the sample requires). */
    static final String SUBMISSION_DOMAIN = "submitters.test";
    static final String SUBMISSION_USER = "alice@" + SUBMISSION_DOMAIN;
    static final String SUBMISSION_PASSWORD = "alice-secret-1";

    /** Creates (or keeps) the submission user in the running James through WebAdmin; returns a submitter logged in. */
    static SmtpSubmitter authenticatedSubmitter(JamesServer james) {
        WebAdminClient webAdmin = james.webAdmin();
        WebAdminClient.Response domain = webAdmin.put("/domains/" + SUBMISSION_DOMAIN, "");
        if (domain.status != 204) {
            throw new IllegalStateException("PUT /domains/" + SUBMISSION_DOMAIN + ": " + domain);
        }
        WebAdminClient.Response user = webAdmin.put("/users/" + SUBMISSION_USER,
            "{\"password\":\"" + SUBMISSION_PASSWORD + "\"}");
        if (user.status != 204 && user.status != 409) { // 409: made by an earlier test on this James

            throw new IllegalStateException("PUT /users/" + SUBMISSION_USER + ": " + user);
        }
        return james.submitter().withStartTls(TlsClient.trustAll()).withAuth(SUBMISSION_USER, SUBMISSION_PASSWORD);
    }
}
