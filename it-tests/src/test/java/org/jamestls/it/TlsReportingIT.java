package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.KnotDns;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.MtaStsWebServer.CollectedRequest;
import org.jamestls.it.support.MtaStsWebServer.HostCertificate;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.ServerCertKind;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestCertificates;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * TLS reporting (RFC 8460) end to end, all real parts: a James 3.8.1 with our jar and the samples (plus {@code tlsRpt on}
 * for this class's domains and the {@code tlsRpt*} parameters), real Postfix receivers, MTA-STS policies served by a
 * real nginx and announced in dnsmasq, DANE records in a zone a real Knot signs. One mail (two for the domain with two
 * MX) goes to each domain of {@link #scenarios()}: delivered over TLS, in plaintext, or bounced after every retry, each
 * in the way the fixtures produce it. Then {@code POST /tls-reports?action=send&includeToday=true} sends today's
 * reports to the {@code rua} of each policy domain's {@code _smtp._tls} record: as mail through James to a Postfix
 * Maildir (parsed here: MIME, gzip, JSON) and as an HTTPS POST to a collector host of the same nginx, which keeps each
 * body ({@code client_body_in_file_only}, see {@link MtaStsWebServer#acceptReports}); the counts in both must be those
 * of the attempts made. One domain's rua is a mailbox its MX refuses: the report bounces and makes no DSN. Between the
 * deliveries and the send James is stopped (SIGTERM) and started again over the same home: the reports are built from
 * the counters it read back from {@code var/tlsrpt}. No scripted server: the collector is a real nginx.
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 4) // after the classes on TlsScenarios.config's James: its own James (TLS reporting on) starts once
class TlsReportingIT {
    private static final int PORT = TestNetwork.RECEIVER_PORT;
    /** A mail bounced after its first attempt and every retry of the test schedule. */
    private static final int ATTEMPTS = JamesServer.TEST_MAX_RETRIES + 1;
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(90);

    private static final String SUBMITTER = "rpt.test";
    private static final String FROM = "tlsrpt@relay.rpt.test";
    private static final String CONTACT = "tls-reports@" + SUBMITTER;
    private static final String ORGANIZATION = "james-tls-delivery TlsReportingIT";
    private static final String REPORTS_DOMAIN = "reports.rpt.test";
    private static final String REPORT_MAILBOX = "tlsrpt@" + REPORTS_DOMAIN;
    /** Postfix answers 550 to local parts starting with "reject". */
    private static final String REFUSING_MAILBOX = "reject-tlsrpt@" + REPORTS_DOMAIN;
    private static final String COLLECTOR_HOST = "tlsrpt." + SUBMITTER;
    private static final String COLLECTOR_PATH = "/v1/report";
    private static final String RUA = "v=TLSRPTv1; rua=mailto:" + REPORT_MAILBOX + ",https://" + COLLECTOR_HOST + COLLECTOR_PATH;
    private static final String REFUSED_RUA = "v=TLSRPTv1; rua=mailto:" + REFUSING_MAILBOX;
    private static final String REFUSED_DOMAIN = "refused.rpt.test";

    private static final String STS = "<tlsCa>file://${certs}/ca.pem</tlsCa><tlsRpt>on</tlsRpt>";
    private static final String STS_IFAVAILABLE = "<tls>ifavailable</tls>" + STS;
    private static final String IFAVAILABLE = "<tls>ifavailable</tls><tlsRpt>on</tlsRpt>";
    private static final String DANE = "<dane>on</dane><tlsRpt>on</tlsRpt>";

    enum Outcome { TLS, PLAINTEXT, BOUNCED }

    /** One destination: what it publishes, what delivery does, and what its policy domain's report must count. */
    static final class Scenario {
        final String domain;
        final String options;
        final Outcome outcome;
        final int mails;
        final String policyDomain;
        final String policyType;
        final long successes;
        final Map<String, Long> failures;

        Scenario(String domain, String options, Outcome outcome, int mails, String policyDomain, String policyType,
                 long successes, Map<String, Long> failures) {
            this.domain = domain;
            this.options = options;
            this.outcome = outcome;
            this.mails = mails;
            this.policyDomain = policyDomain;
            this.policyType = policyType;
            this.successes = successes;
            this.failures = failures;
        }

        boolean reported() {
            return options.contains("<tlsRpt>on</tlsRpt>");
        }

        /** What the report of its policy domain says: successes, then result type = failed sessions. */
        String counts() {
            return policyType + " " + policyDomain + ": successes=" + successes + " failures=" + new TreeMap<>(failures);
        }

        @Override
        public String toString() {
            return domain;
        }
    }

    private static Scenario scenario(String domain, String options, Outcome outcome, String policyDomain, String policyType,
                                     long successes, Object... failures) {
        return scenario(domain, options, outcome, 1, policyDomain, policyType, successes, failures);
    }

    private static Scenario scenario(String domain, String options, Outcome outcome, int mails, String policyDomain,
                                     String policyType, long successes, Object... failures) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int i = 0; i < failures.length; i += 2) {
            expected.put((String) failures[i], ((Number) failures[i + 1]).longValue());
        }
        return new Scenario(domain, options, outcome, mails, policyDomain, policyType, successes, expected);
    }

    /**
     * Every destination of the class. MTA-STS domains (operator tls=no, so TLS is what the receiver demands, or
     * ifavailable where the policy only observes or is missing), no-policy domains, DANE domains in the signed zone.
     */
    static List<Scenario> scenarios() {
        return List.of(
            scenario("good.sts.rpt.test", STS, Outcome.TLS, "good.sts.rpt.test", "sts", 1),
            scenario("twomx.sts.rpt.test", STS, Outcome.TLS, 2, "twomx.sts.rpt.test", "sts", 2, "validation-failure", 2),
            scenario("unlisted.sts.rpt.test", STS, Outcome.BOUNCED, "unlisted.sts.rpt.test", "sts", 0,
                "validation-failure", ATTEMPTS),
            scenario("wronghost.sts.rpt.test", STS, Outcome.BOUNCED, "wronghost.sts.rpt.test", "sts", 0,
                "certificate-host-mismatch", ATTEMPTS),
            scenario("expired.sts.rpt.test", STS, Outcome.BOUNCED, "expired.sts.rpt.test", "sts", 0,
                "certificate-expired", ATTEMPTS),
            scenario("untrusted.sts.rpt.test", STS, Outcome.BOUNCED, "untrusted.sts.rpt.test", "sts", 0,
                "certificate-not-trusted", ATTEMPTS),
            scenario("strip.sts.rpt.test", STS, Outcome.BOUNCED, "strip.sts.rpt.test", "sts", 0,
                "starttls-not-supported", ATTEMPTS),
            scenario("testing.sts.rpt.test", STS_IFAVAILABLE, Outcome.TLS, "testing.sts.rpt.test", "sts", 0,
                "validation-failure", 1),
            scenario("testingcert.sts.rpt.test", STS_IFAVAILABLE, Outcome.TLS, "testingcert.sts.rpt.test", "sts", 0,
                "certificate-host-mismatch", 1),
            scenario("webpki.sts.rpt.test", STS_IFAVAILABLE, Outcome.TLS, "webpki.sts.rpt.test", "sts", 0,
                "sts-webpki-invalid", 1),
            scenario("fetch404.sts.rpt.test", STS_IFAVAILABLE, Outcome.TLS, "fetch404.sts.rpt.test", "sts", 0,
                "sts-policy-fetch-error", 1),
            scenario("invalid.sts.rpt.test", STS_IFAVAILABLE, Outcome.TLS, "invalid.sts.rpt.test", "sts", 0,
                "sts-policy-invalid", 1),
            scenario("norpt.sts.rpt.test", "<tlsCa>file://${certs}/ca.pem</tlsCa>", Outcome.TLS, "norpt.sts.rpt.test",
                "sts", 0),
            scenario("plain.rpt.test", IFAVAILABLE, Outcome.PLAINTEXT, "plain.rpt.test", "no-policy-found", 0,
                "starttls-not-supported", 1),
            scenario("nopolicy.rpt.test", IFAVAILABLE, Outcome.TLS, "nopolicy.rpt.test", "no-policy-found", 1),
            scenario(REFUSED_DOMAIN, IFAVAILABLE, Outcome.TLS, REFUSED_DOMAIN, "no-policy-found", 1),
            scenario("ee-rpt.dane.test", DANE, Outcome.TLS, "mx-ee-rpt.dane.test", "tlsa", 1),
            scenario("mismatch-rpt.dane.test", DANE, Outcome.BOUNCED, "mx-mismatch-rpt.dane.test", "tlsa", 0,
                "tlsa-invalid", ATTEMPTS),
            scenario("pkix-rpt.dane.test", DANE, Outcome.TLS, "mx-pkix-rpt.dane.test", "tlsa", 0, "tlsa-invalid", 1),
            scenario("strip-rpt.dane.test", DANE, Outcome.BOUNCED, "mx-strip-rpt.dane.test", "tlsa", 0,
                "starttls-not-supported", ATTEMPTS),
            scenario("rpt." + KnotDns.BOGUS_CHILD, DANE, Outcome.BOUNCED, "rpt." + KnotDns.BOGUS_CHILD, "tlsa", 0,
                "dnssec-invalid", ATTEMPTS),
            scenario("tlsabogus-rpt.dane.test", DANE, Outcome.BOUNCED, "mx-rpt." + KnotDns.BOGUS_CHILD, "tlsa", 0,
                "dnssec-invalid", ATTEMPTS),
            scenario("forged-rpt.dane.test", DANE, Outcome.BOUNCED, "forged-rpt.dane.test", "tlsa", 0,
                "validation-failure", ATTEMPTS));
    }

    private static final SentMails SENT = new SentMails("rpt");
    private static final Map<String, List<SentMails.Sent>> SENT_TO = new LinkedHashMap<>();
    /** domain -> the (first) test mail delivered there. */
    private static final Map<String, ReceivedMessage> DELIVERED = new LinkedHashMap<>();
    @TestDns
    static final DnsRecords DNS = dns();
    private static SmtpFaultProxy stripProxy;
    private static JsonNode countersBeforeRestart;
    private static JsonNode countersBeforeSending;
    private static List<Path> counterFiles;
    private static Instant sendStarted;
    private static Instant sendAnswered;
    private static JsonNode sendAnswer;
    private static double reportsSentMetric;
    private static double reportsFailedMetric;
    private static List<ReceivedMessage> reportMails;
    private static List<CollectedRequest> posts;

    @BeforeAll
    static void deliverEverywhereThenSendTheReports(TestEnvironment env) throws Exception {
        publishMtaSts(env.mtaStsWeb());
        publishDane(env.knot(), env.certificates());
        env.mtaStsWeb().acceptReports(COLLECTOR_HOST, TestNetwork.TLSRPT_COLLECTOR_IP);
        stripProxy = new SmtpFaultProxy(Fault.STRIP_FROM_EHLO, TestNetwork.TLSRPT_STRIP_PROXY_IP, PORT,
            TestNetwork.RX_VALID_IP, PORT);
        JamesServer james = james(env);
        for (Scenario s : scenarios()) {
            List<SentMails.Sent> sent = new ArrayList<>();
            for (int i = 0; i < s.mails; i++) {
                sent.add(SENT.sendAnother(james, s.domain));
            }
            SENT_TO.put(s.domain, sent);
        }
        // every attempt is counted before its mail is settled: delivered and DSN'd mails mean all attempts are in
        for (Scenario s : scenarios()) {
            for (SentMails.Sent sent : SENT_TO.get(s.domain)) {
                if (s.outcome == Outcome.BOUNCED) {
                    TlsScenarios.awaitDsn(env, sent.sender);
                } else {
                    ReceivedMessage received = TlsScenarios.awaitDelivered(env, sent.recipient);
                    assertThat(received.tlsUsed()).as(s.domain).isEqualTo(s.outcome == Outcome.TLS);
                    DELIVERED.putIfAbsent(s.domain, received);
                }
            }
        }
        countersBeforeRestart = json(james.webAdmin().get("/tls-reports"));
        // an operator's restart: SIGTERM, the mailet's destroy() writes the counters, the new James reads them back
        james.close();
        counterFiles = listCounterFiles(james.home().resolve("var/tlsrpt"));
        james.restartKeepingHome();
        WebAdminClient webAdmin = james.webAdmin();
        countersBeforeSending = json(webAdmin.get("/tls-reports"));
        // the forced day end: today's period ends now and its reports go out, without the spread delay
        sendStarted = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        WebAdminClient.Response send = webAdmin.post("/tls-reports?action=send&includeToday=true");
        sendAnswered = Instant.now();
        assertThat(send.status).as(send.body).isEqualTo(200);
        sendAnswer = json(send);
        reportsSentMetric = webAdmin.metric("jamestls_tlsrpt_reports_sent");
        reportsFailedMetric = webAdmin.metric("jamestls_tlsrpt_reports_failed");
        long mailed = reportedScenarios().filter(s -> !s.domain.equals(REFUSED_DOMAIN)).count();
        reportMails = env.receivers().awaitMessagesFor(REPORT_MAILBOX, (int) mailed, REPORT_TIMEOUT);
        boolean collected = Processes.await(REPORT_TIMEOUT, () -> reportPosts(env).size() >= mailed);
        posts = reportPosts(env);
        assertThat(collected).as("report POSTs at the collector: " + posts.size()).isTrue();
        writeExamples(reportMails);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (stripProxy != null) {
            stripProxy.close();
        }
    }

    @Test
    void webAdminShowsTheCountersBeforeTheyAreSent() {
        assertThat(countedPerDomain(countersBeforeRestart)).isEqualTo(expectedCounts());
    }

    @Test
    void theCountersSurviveARestartOfJames() {
        assertThat(counterFiles).as("counters written under var/tlsrpt when James stopped").isNotEmpty()
            .allMatch(file -> file.getFileName().toString().matches("counters-.+\\.json"));
        assertThat(countedPerDomain(countersBeforeSending)).as("read back by the restarted James")
            .isEqualTo(expectedCounts());
        assertThat(countersBeforeSending.get("periods")).as("the same periods, policies and rows")
            .isEqualTo(countersBeforeRestart.get("periods"));
    }

    @Test
    void theReportsInTheMaildirCountWhatWasSent() throws Exception {
        Map<String, String> reported = new TreeMap<>();
        for (ReceivedMessage mail : reportMails) {
            JsonNode report = reportOf(mail);
            reported.merge(report.at("/policies/0/policy/policy-domain").asText(), counts(report), (a, b) -> a + " + " + b);
        }

        assertThat(reported).isEqualTo(withoutRefused(expectedCounts()));
        assertThat(reportMails).hasSize(reported.size());
    }

    @Test
    void theReportsPostedOverHttpsCountWhatWasSentAndAreTheMailedOnes() throws Exception {
        Map<String, String> reported = new TreeMap<>();
        Map<String, String> reportIds = new TreeMap<>();
        for (CollectedRequest post : posts) {
            assertThat(post.method).isEqualTo("POST");
            assertThat(post.uri).isEqualTo(COLLECTOR_PATH);
            assertThat(post.contentType).isEqualTo("application/tlsrpt+gzip");
            assertThat(post.status).isEqualTo(200);
            JsonNode report = gunzipJson(post.body);
            String domain = report.at("/policies/0/policy/policy-domain").asText();
            reported.merge(domain, counts(report), (a, b) -> a + " + " + b);
            reportIds.merge(domain, report.get("report-id").asText(), (a, b) -> a + " + " + b);
        }
        Map<String, String> mailedIds = new TreeMap<>();
        for (ReceivedMessage mail : reportMails) {
            JsonNode report = reportOf(mail);
            mailedIds.merge(report.at("/policies/0/policy/policy-domain").asText(), report.get("report-id").asText(),
                (a, b) -> a + " + " + b);
        }

        assertThat(reported).isEqualTo(withoutRefused(expectedCounts()));
        assertThat(reportIds).as("one report per policy domain, to each of its rua").isEqualTo(mailedIds);
        assertThat(posts).as("one POST per report").hasSize(reportIds.size());
    }

    @Test
    void aReportMailIsWhatRfc8460Section5Says() throws Exception {
        for (ReceivedMessage received : reportMails) {
            MimeMessage mail = mime(received);
            JsonNode report = reportOf(received);
            String domain = report.at("/policies/0/policy/policy-domain").asText();
            String reportId = report.get("report-id").asText();

            assertThat(received.envelopeSender()).as("null reverse path: no DSN").isEmpty();
            assertThat(mail.getHeader("TLS-Report-Domain", null)).isEqualTo(domain);
            assertThat(mail.getHeader("TLS-Report-Submitter", null)).isEqualTo(SUBMITTER);
            assertThat(mail.getHeader("TLS-Required", null)).isEqualTo("No");
            assertThat(mail.getSubject()).isEqualTo("Report Domain: " + domain + " Submitter: " + SUBMITTER
                + " Report-ID: <" + reportId + ">");
            assertThat(mail.getContentType().replaceAll("\\s+", " ")).startsWith("multipart/report")
                .containsPattern("report-type=\"?tlsrpt\"?");
            BodyPart part = reportPart(mail);
            assertThat(part.getContentType()).startsWith("application/tlsrpt+gzip");
            assertThat(part.getFileName()).matches(SUBMITTER.replace(".", "\\.") + "!" + domain.replace(".", "\\.")
                + "!\\d+!\\d+!" + reportId.replaceAll(".*\\.([0-9a-f]+)@.*", "$1") + "\\.json\\.gz");
            assertThat(mail.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
            assertThat(mail.getFrom()).extracting(Object::toString).containsExactly(FROM);
            assertThat(report.get("organization-name").asText()).isEqualTo(ORGANIZATION);
            assertThat(report.get("contact-info").asText()).isEqualTo(CONTACT);
            assertThat(report.fieldNames()).toIterable().containsExactlyInAnyOrder("organization-name", "date-range",
                "contact-info", "report-id", "policies");
        }
    }

    /** Today's period, ended by the POST: from today's midnight (James started today) to the second of the POST. */
    @Test
    void theDateRangeIsTodayUpToTheSendAndTheReportIdNamesItsStart() throws Exception {
        Instant midnight = sendStarted.truncatedTo(ChronoUnit.DAYS);
        for (ReceivedMessage mail : reportMails) {
            JsonNode report = reportOf(mail);
            String start = report.at("/date-range/start-datetime").asText();
            String end = report.at("/date-range/end-datetime").asText();

            assertThat(start).matches(RFC3339_UTC_SECONDS);
            assertThat(end).matches(RFC3339_UTC_SECONDS);
            assertThat(Instant.parse(start)).isEqualTo(midnight);
            assertThat(Instant.parse(end)).isBetween(sendStarted, sendAnswered);
            assertThat(report.get("report-id").asText()).matches(
                start.replaceAll("[-:]", "") + "\\.[0-9a-f]{16}@" + SUBMITTER.replace(".", "\\."));
        }
    }

    @Test
    void failureRowsNameTheSessionsAddressesAndThePoliciesTheirRecords() throws Exception {
        Map<String, JsonNode> byDomain = new TreeMap<>();
        for (ReceivedMessage mail : reportMails) {
            JsonNode report = reportOf(mail);
            byDomain.put(report.at("/policies/0/policy/policy-domain").asText(), report.at("/policies/0"));
        }

        JsonNode wronghost = byDomain.get("wronghost.sts.rpt.test");
        assertThat(wronghost.at("/policy/policy-string").toString())
            .isEqualTo("[\"version: STSv1\",\"mode: enforce\",\"mx: *.receivers.test\",\"max_age: 86400\"]");
        assertThat(wronghost.at("/policy/mx-host").toString()).isEqualTo("[\"*.receivers.test\"]");
        JsonNode row = wronghost.at("/failure-details/0");
        assertThat(row.get("receiving-mx-hostname").asText()).isEqualTo(TestNetwork.RX_WRONGHOST + TestNetwork.RECEIVER_HOSTNAME_SUFFIX);
        assertThat(row.get("receiving-ip").asText()).isEqualTo(TestNetwork.RX_WRONGHOST_IP);
        assertThat(row.get("sending-mta-ip").asText()).as("the address Postfix saw James connect from")
            .isEqualTo(DELIVERED.get("good.sts.rpt.test").clientIp());
        assertThat(row.get("failed-session-count").asLong()).isEqualTo(ATTEMPTS);
        assertThat(row.get("result-type").asText()).isEqualTo("certificate-host-mismatch");
        assertThat(row.get("failure-reason-code").asText()).contains("rx-wronghost.receivers.test");

        JsonNode unlisted = byDomain.get("unlisted.sts.rpt.test").at("/failure-details/0");
        assertThat(unlisted.get("failure-reason-code").asText()).isEqualTo("mx-not-in-sts-policy: rx-tls-1.receivers.test");
        assertThat(unlisted.has("receiving-ip")).as("refused before any connection").isFalse();

        JsonNode ee = byDomain.get("mx-ee-rpt.dane.test").get("policy");
        assertThat(ee.get("policy-string").get(0).asText()).startsWith("3 1 1 ");
        assertThat(ee.get("mx-host").toString()).isEqualTo("[\"mx-ee-rpt.dane.test\"]");
        assertThat(byDomain.get("mx-pkix-rpt.dane.test").at("/failure-details/0/failure-reason-code").asText())
            .isEqualTo("no-usable-tlsa-record");
        assertThat(byDomain.get("rpt." + KnotDns.BOGUS_CHILD).at("/policy/policy-string").size()).isZero();
        assertThat(byDomain.get("forged-rpt.dane.test").at("/failure-details/0/failure-reason-code").asText())
            .isEqualTo("mx-not-in-dnssec-mx-rrset: rx-tls-1.receivers.test");
        assertThat(byDomain.get("fetch404.sts.rpt.test").at("/policy/policy-string").size())
            .as("a policy announced but not had: sts without strings").isZero();
    }

    @Test
    void everyReportWasSentOnceAndTheRefusedOneMakesNoDsn(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env, config(env));
        Map<String, String> states = new TreeMap<>();
        for (JsonNode attempted : sendAnswer.get("attempted")) {
            attempted.at("/report/destinations").fields().forEachRemaining(destination -> states.put(
                attempted.get("policy-domain").asText() + " " + destination.getKey(), destination.getValue().get("state").asText()));
        }
        Map<String, String> expected = new TreeMap<>();
        for (String domain : expectedCounts().keySet()) {
            if (domain.equals(REFUSED_DOMAIN)) {
                expected.put(domain + " mailto:" + REFUSING_MAILBOX, "sent");
            } else {
                expected.put(domain + " mailto:" + REPORT_MAILBOX, "sent");
                expected.put(domain + " https://" + COLLECTOR_HOST + COLLECTOR_PATH, "sent");
            }
        }
        assertThat(states).as("every policy domain with tlsRpt on, each of its rua, sent (a mail: handed to James)")
            .isEqualTo(expected);
        assertThat(reportsSentMetric).as("jamestls_tlsrpt_reports_sent").isEqualTo(expected.size());
        assertThat(reportsFailedMetric).as("jamestls_tlsrpt_reports_failed").isZero();

        assertThat(james.awaitLog("Failed mail=\\S+ recipients=\\[" + REFUSING_MAILBOX.replace(".", "\\.")
            + "\\], no DSN \\(null sender\\): 5\\.1\\.1", TlsScenarios.DELIVERY_TIMEOUT)).isNotEmpty();
        // proving an absence takes a window: a DSN would go to the report's From (relay.rpt.test, rx-tls-2) at once
        env.receivers().assertNoMessage("Report Domain: " + REFUSED_DOMAIN, Duration.ofSeconds(5));
        assertThat(env.receivers().countMessagesFor(FROM)).as("DSNs to " + FROM).isZero();
    }

    @Test
    void reportMailIsNotCountedNorAnyDomainWithTlsRptOff(TestEnvironment env) throws Exception {
        JsonNode after = json(TlsScenarios.james(env, config(env)).webAdmin().get("/tls-reports"));
        List<String> domains = new ArrayList<>();
        after.get("periods").forEach(period -> period.get("domains").fieldNames().forEachRemaining(domains::add));

        assertThat(domains).as("sessions counted after the reports went out to " + REPORTS_DOMAIN + " (tlsRpt on)")
            .doesNotContain(REPORTS_DOMAIN, "norpt.sts.rpt.test");
        assertThat(env.receivers().messagesFor(REPORT_MAILBOX)).extracting(ReceivedMessage::tlsUsed)
            .as("report mail went over TLS to a domain with tlsRpt on").containsOnly(true);
        assertThat(stripProxy.bytesFromClients()).contains("EHLO").doesNotContain("MAIL FROM");
    }

    // ---- expectations --------------------------------------------------------------------------------------------

    private static final String RFC3339_UTC_SECONDS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    private static Stream<Scenario> reportedScenarios() {
        return scenarios().stream().filter(Scenario::reported);
    }

    /** policy domain -> "type domain: successes=N failures={result-type=N, ...}" for every domain with tlsRpt on. */
    private static Map<String, String> expectedCounts() {
        return reportedScenarios().collect(Collectors.toMap(s -> s.policyDomain, Scenario::counts, (a, b) -> a + " + " + b,
            TreeMap::new));
    }

    private static Map<String, String> withoutRefused(Map<String, String> counts) {
        Map<String, String> copy = new TreeMap<>(counts);
        copy.remove(REFUSED_DOMAIN);
        return copy;
    }

    /** policy domain -> counts, from a {@code GET /tls-reports} answer (every period). */
    private static Map<String, String> countedPerDomain(JsonNode counters) {
        Map<String, String> counted = new TreeMap<>();
        for (JsonNode period : counters.get("periods")) {
            period.get("domains").fields().forEachRemaining(domain -> counted.merge(domain.getKey(),
                counts(domain.getKey(), domain.getValue().get("policies")), (a, b) -> a + " + " + b));
        }
        return counted;
    }

    private static String counts(JsonNode report) {
        return counts(report.at("/policies/0/policy/policy-domain").asText(), report.get("policies"));
    }

    /** The same words as {@link Scenario#counts()}, from a report's (or WebAdmin's) policies array. */
    private static String counts(String policyDomain, JsonNode policies) {
        List<String> each = new ArrayList<>();
        for (JsonNode policy : policies) {
            Map<String, Long> failures = new TreeMap<>();
            for (JsonNode row : policy.path("failure-details")) {
                failures.merge(row.get("result-type").asText(), row.get("failed-session-count").asLong(), Long::sum);
            }
            long failed = policy.at("/summary/total-failure-session-count").asLong();
            assertThat(failures.values().stream().mapToLong(Long::longValue).sum()).as(policyDomain + " rows").isEqualTo(failed);
            each.add(policy.at("/policy/policy-type").asText() + " " + policy.at("/policy/policy-domain").asText()
                + ": successes=" + policy.at("/summary/total-successful-session-count").asLong() + " failures=" + failures);
        }
        assertThat(each).as(policyDomain + ": one policy").hasSize(1);
        return each.get(0);
    }

    // ---- the report mail, the POSTs ------------------------------------------------------------------------------

    private static List<CollectedRequest> reportPosts(TestEnvironment env) {
        return env.mtaStsWeb().collected(COLLECTOR_HOST).stream().filter(r -> r.method.equals("POST"))
            .collect(Collectors.toList());
    }

    private static MimeMessage mime(ReceivedMessage received) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(received.raw().getBytes(StandardCharsets.UTF_8)));
    }

    private static BodyPart reportPart(MimeMessage mail) throws Exception {
        Multipart multipart = (Multipart) mail.getContent();
        assertThat(multipart.getCount()).isEqualTo(2);
        assertThat(multipart.getBodyPart(0).getContentType()).startsWith("text/plain");
        return multipart.getBodyPart(1);
    }

    private static JsonNode reportOf(ReceivedMessage received) throws Exception {
        try (InputStream in = reportPart(mime(received)).getInputStream()) {
            return gunzipJson(in.readAllBytes());
        }
    }

    private static JsonNode gunzipJson(byte[] gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(WebAdminClient.Response response) {
        try {
            return new ObjectMapper().readTree(response.body);
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.status + "): " + response.body, e);
        }
    }

    /**
     * Every mailed report, pretty-printed, under target/it-work/tlsrpt-reports/ (the README's examples); the ones of
     * the README printed too.
     */
    private static void writeExamples(List<ReceivedMessage> mails) throws Exception {
        Path dir = Files.createDirectories(ItPaths.workDir().resolve("tlsrpt-reports"));
        for (ReceivedMessage mail : mails) {
            JsonNode report = reportOf(mail);
            String domain = report.at("/policies/0/policy/policy-domain").asText();
            String pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
            Path file = dir.resolve(domain + ".json");
            Files.writeString(file, pretty);
            if (domain.equals("twomx.sts.rpt.test") || domain.equals("wronghost.sts.rpt.test")) {
                System.out.println("TLS report of " + domain + " (" + file + "):\n" + pretty);
            }
        }
    }

    private static List<Path> listCounterFiles(Path store) throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(f -> f.getFileName().toString().startsWith("counters-")).collect(Collectors.toList());
        }
    }

    // ---- James, DNS, MTA-STS, DANE -------------------------------------------------------------------------------

    /** The shared test configuration, this class's domains in the policy, and the tlsRpt* parameters. */
    static JamesConfig config(TestEnvironment env) {
        JamesConfig base = TlsScenarios.config(env);
        String certs = env.certificates().dir().toAbsolutePath().toString();
        StringBuilder stanzas = new StringBuilder("\n  <!-- TLS reporting (see TlsReportingIT) -->\n");
        for (Scenario s : scenarios()) {
            stanzas.append("  <domain name=\"").append(s.domain).append("\">").append(s.options.replace("${certs}", certs))
                .append("</domain>\n");
        }
        stanzas.append("  <domain name=\"").append(REPORTS_DOMAIN).append("\">").append(IFAVAILABLE).append("</domain>\n");
        String policy = base.confFiles().get("tls-policy.xml").replace("</tlsPolicy>", stanzas + "</tlsPolicy>");
        String mailets = base.confFiles().get("mailetcontainer.xml").replace("<onSuccess>delivered</onSuccess>",
            "<onSuccess>delivered</onSuccess>\n              <tlsRptFrom>" + FROM + "</tlsRptFrom>"
                + "\n              <tlsRptContact>" + CONTACT + "</tlsRptContact>"
                + "\n              <tlsRptOrganization>" + ORGANIZATION + "</tlsRptOrganization>"
                + "\n              <tlsRptCa>file://" + certs + "/ca.pem</tlsRptCa>");
        return base.withConfFile("tls-policy.xml", policy).withConfFile("mailetcontainer.xml", mailets);
    }

    private static JamesServer james(TestEnvironment env) {
        return TlsScenarios.james(env, config(env));
    }

    /** dnsmasq: MX, MTA-STS announcements and policy hosts, the TLSRPT records of the domains outside the signed zone. */
    private static DnsRecords dns() {
        String valid = receiver(TestNetwork.RX_VALID);
        DnsRecords.Builder records = DnsRecords.builder();
        stsDomain(records, "good.sts.rpt.test", valid);
        stsDomain(records, "twomx.sts.rpt.test", receiver(TestNetwork.RX_TLS_1)).mx("twomx.sts.rpt.test", valid, 20);
        stsDomain(records, "unlisted.sts.rpt.test", receiver(TestNetwork.RX_TLS_1));
        stsDomain(records, "wronghost.sts.rpt.test", receiver(TestNetwork.RX_WRONGHOST));
        stsDomain(records, "expired.sts.rpt.test", receiver(TestNetwork.RX_EXPIRED));
        stsDomain(records, "untrusted.sts.rpt.test", receiver(TestNetwork.RX_UNTRUSTED));
        stsDomain(records, "strip.sts.rpt.test", "mx-strip.sts.rpt.test").a("mx-strip.sts.rpt.test",
            TestNetwork.TLSRPT_STRIP_PROXY_IP);
        stsDomain(records, "testing.sts.rpt.test", receiver(TestNetwork.RX_WRONGHOST));
        stsDomain(records, "testingcert.sts.rpt.test", receiver(TestNetwork.RX_WRONGHOST));
        stsDomain(records, "webpki.sts.rpt.test", receiver(TestNetwork.RX_TLS_1));
        stsDomain(records, "fetch404.sts.rpt.test", receiver(TestNetwork.RX_TLS_1));
        stsDomain(records, "invalid.sts.rpt.test", receiver(TestNetwork.RX_TLS_1));
        stsDomain(records, "norpt.sts.rpt.test", valid);
        reportingDomain(records, "plain.rpt.test", receiver(TestNetwork.RX_PLAIN), RUA);
        reportingDomain(records, "nopolicy.rpt.test", receiver(TestNetwork.RX_TLS_1), RUA);
        reportingDomain(records, REFUSED_DOMAIN, receiver(TestNetwork.RX_TLS_1), REFUSED_RUA);
        // James's own DNS gives an MX that the signed MX RRset (Knot) does not list: a forged answer
        records.mx("forged-rpt.dane.test", receiver(TestNetwork.RX_TLS_1), 10);
        return records.mx(REPORTS_DOMAIN, receiver(TestNetwork.RX_TLS_1), 10)
            .mx("relay.rpt.test", receiver(TestNetwork.RX_TLS_2), 10)
            .a(COLLECTOR_HOST, TestNetwork.TLSRPT_COLLECTOR_IP)
            .build();
    }

    private static DnsRecords.Builder stsDomain(DnsRecords.Builder records, String domain, String mx) {
        return reportingDomain(records, domain, mx, RUA).mtaSts(domain, "1")
            .a(MtaStsWebServer.policyHost(domain), TestNetwork.MTA_STS_ADDRESS);
    }

    private static DnsRecords.Builder reportingDomain(DnsRecords.Builder records, String domain, String mx, String rua) {
        return records.mx(domain, mx, 10).txt("_smtp._tls." + domain, rua);
    }

    private static String receiver(String name) {
        return name + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    }

    private static void publishMtaSts(MtaStsWebServer web) {
        web.publish("good.sts.rpt.test", policy("enforce", receiver(TestNetwork.RX_VALID)));
        web.publish("twomx.sts.rpt.test", policy("enforce", receiver(TestNetwork.RX_VALID)));
        web.publish("unlisted.sts.rpt.test", policy("enforce", receiver(TestNetwork.RX_VALID)));
        web.publish("wronghost.sts.rpt.test", policy("enforce", "*.receivers.test"));
        web.publish("expired.sts.rpt.test", policy("enforce", "*.receivers.test"));
        web.publish("untrusted.sts.rpt.test", policy("enforce", "*.receivers.test"));
        web.publish("strip.sts.rpt.test", policy("enforce", "*.sts.rpt.test"));
        web.publish("testing.sts.rpt.test", policy("testing", receiver(TestNetwork.RX_VALID)));
        web.publish("testingcert.sts.rpt.test", policy("testing", "*.receivers.test"));
        web.publish("webpki.sts.rpt.test", policy("enforce", "*.receivers.test"), HostCertificate.WRONG_NAME);
        web.publish("fetch404.sts.rpt.test", policy("enforce", "*.receivers.test"));
        web.remove("fetch404.sts.rpt.test");
        web.publish("invalid.sts.rpt.test", "version: STSv1\nmode: sometimes\nmx: *.receivers.test\nmax_age: 86400\n");
        web.publish("norpt.sts.rpt.test", policy("enforce", receiver(TestNetwork.RX_VALID)));
    }

    private static String policy(String mode, String mx) {
        return "version: STSv1\nmode: " + mode + "\nmx: " + mx + "\nmax_age: 86400\n";
    }

    /** The signed zone (and its bogus child): MX, addresses, TLSA, and the TLSRPT records of the DANE policy domains. */
    private static void publishDane(KnotDns knot, TestCertificates certs) {
        X509Certificate valid = TestCertificates.certificate(certs.serverCert(ServerCertKind.VALID));
        X509Certificate other = TestCertificates.certificate(certs.serverCert(ServerCertKind.WRONGHOST));
        String bogusMx = "mx-rpt." + KnotDns.BOGUS_CHILD;
        knot.mx("ee-rpt.dane.test", "mx-ee-rpt.dane.test", 10).a("mx-ee-rpt.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-ee-rpt.dane.test", PORT, 3, 1, 1, valid)
            .mx("mismatch-rpt.dane.test", "mx-mismatch-rpt.dane.test", 10).a("mx-mismatch-rpt.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-mismatch-rpt.dane.test", PORT, 3, 1, 1, other)
            // PKIX-EE only: a secure TLSA RRset without a usable record (mandatory TLS, not authenticated)
            .mx("pkix-rpt.dane.test", "mx-pkix-rpt.dane.test", 10).a("mx-pkix-rpt.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-pkix-rpt.dane.test", PORT, 1, 1, 1, valid)
            .mx("strip-rpt.dane.test", "mx-strip-rpt.dane.test", 10).a("mx-strip-rpt.dane.test", TestNetwork.TLSRPT_STRIP_PROXY_IP)
            .tlsaFor("mx-strip-rpt.dane.test", PORT, 3, 1, 1, valid)
            .mx("rpt." + KnotDns.BOGUS_CHILD, "mx.rpt." + KnotDns.BOGUS_CHILD, 10)
            .a("mx.rpt." + KnotDns.BOGUS_CHILD, TestNetwork.RX_VALID_IP)
            // a secure MX RRset whose MX host lives in the bogus child: its TLSA answer does not validate
            .mx("tlsabogus-rpt.dane.test", bogusMx, 10).a(bogusMx, TestNetwork.RX_VALID_IP)
            .tlsaFor(bogusMx, PORT, 3, 1, 1, valid)
            .mx("forged-rpt.dane.test", "mx-real-rpt.dane.test", 10).a("mx-real-rpt.dane.test", TestNetwork.RX_VALID_IP);
        for (String policyDomain : List.of("mx-ee-rpt.dane.test", "mx-mismatch-rpt.dane.test", "mx-pkix-rpt.dane.test",
                "mx-strip-rpt.dane.test", "rpt." + KnotDns.BOGUS_CHILD, bogusMx, "forged-rpt.dane.test")) {
            knot.record("_smtp._tls." + policyDomain, "TXT", "\"" + RUA + "\"");
        }
        knot.apply();
    }
}
