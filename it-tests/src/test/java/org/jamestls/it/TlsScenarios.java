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
import org.jamestls.it.support.ServerCertKind;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TlsClient;
import org.jamestls.it.support.WebAdminClient;

/**
 * The fixture shared by the TlsRemoteDelivery integration tests: the sample James configuration with
 * the test policy, DNS for the senders' domain (each IT declares the records of the domains it sends to), and
 * helpers to send a mail and find what became of it.
 */
final class TlsScenarios {
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    /** Long enough for every retry of the test schedule (5 x 2 s) plus the DSN's own delivery. */
    static final Duration BOUNCE_TIMEOUT = Duration.ofSeconds(90);
    static final String SENDER_DOMAIN = "senders.test";

    /** Where the DSNs to {@link #uniqueSender} go; each IT declares the records of its own domains. */
    private static final DnsRecords SENDERS = DnsRecords.builder().mx(SENDER_DOMAIN, "rx-tls-2.receivers.test", 10).build();

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

    /**
     * {@link #config} with the sample listener offering STARTTLS (the run's test-CA certificate for rx-valid), so a
     * submitter can ask for REQUIRETLS, which the samples' org.jamestls.smtpin.RequireTlsHandler takes only under TLS.
     */
    static JamesConfig requireTlsConfig(TestEnvironment env) {
        String sample = readSample("smtpserver.xml");
        String smtpServer = sample
            .replace("file://conf/smtp-tls-key.pem", "file://" + env.certificates().serverKey(ServerCertKind.VALID))
            .replace("file://conf/smtp-tls-chain.pem", "file://" + env.certificates().serverChain(ServerCertKind.VALID));
        if (smtpServer.equals(sample) || !smtpServer.contains("startTLS=\"true\"")
            || !smtpServer.contains("org.jamestls.smtpin.RequireTlsHandler")) {
            throw new IllegalStateException("config-samples/smtpserver.xml changed: no STARTTLS with conf/smtp-tls-*.pem"
                + " or no RequireTlsHandler");
        }
        return config(env).withConfFile("smtpserver.xml", smtpServer);
    }

    /** James with {@link #requireTlsConfig} and the senders' domain in DNS. */
    static JamesServer requireTlsJames(TestEnvironment env) {
        env.dns().publish(SENDERS);
        return env.james(requireTlsConfig(env));
    }

    /** A submitter that issues STARTTLS (trusting the test CA) before MAIL, as REQUIRETLS needs. */
    static SmtpSubmitter overTls(TestEnvironment env, JamesServer james) {
        return james.submitter().withStartTls(TlsClient.trusting(env.certificates().caPem()));
    }

    /** A file of config-samples/ as it is. */
    static String readSample(String name) {
        try {
            return Files.readString(ItPaths.configSamples().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audit line LogDeliveryOutcome writes from the mail's jamestls.outcome.* attributes. */
    static String outcomeLine(TestEnvironment env, String processor, String recipient) {
        return outcomeLine(james(env), processor, recipient);
    }

    /** The same in {@code james} (one started with another config than {@link #config}). */
    static String outcomeLine(JamesServer james, String processor, String recipient) {
        return james.awaitLog("Delivery outcome \\(" + processor + "\\): .*recipients=\\[" + recipient
            .replace(".", "\\.") + "\\]", DELIVERY_TIMEOUT);
    }

    /** James with our mailet, sample config and the test policy, and the senders' domain in DNS. */
    static JamesServer james(TestEnvironment env) {
        return james(env, config(env));
    }

    /** James with {@code config} (e.g. {@link #config} changed), and the senders' domain in DNS. */
    static JamesServer james(TestEnvironment env, JamesConfig config) {
        env.dns().publish(SENDERS);
        return env.james(config);
    }

    /** A sender address of its own per test, so the DSN it gets back is easy to find. */
    static String uniqueSender(String prefix) {
        return uniqueSender(prefix, SENDER_DOMAIN);
    }

    /** The same in another senders' domain (e.g. one whose MX is a scripted receiver). */
    static String uniqueSender(String prefix, String domain) {
        return SmtpSubmitter.uniqueSubject(prefix).replaceAll("[^A-Za-z0-9-]", "-").toLowerCase() + "@" + domain;
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
