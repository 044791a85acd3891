package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * When reports go out, to whom, how often, and that a report sent is not sent again, also after a restart. The
 * transport is a recording fake (the real mail and https paths are ReportMessageTest and HttpsReportPosterTest).
 */
class TlsRptSenderTest {
    private static final Instant MORNING = Instant.parse("2026-05-01T08:00:00Z");
    private static final Instant MIDNIGHT = Instant.parse("2026-05-02T00:00:00Z");
    private static final String DOMAIN = "company-y.example";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(MORNING);
    private final FakeDns dns = new FakeDns();
    private final RecordingTransport transport = new RecordingTransport();
    private RecordingMetricFactory metrics;
    private TlsRptStore store;

    /** Keeps what it was given; fails for the destinations listed in {@code failing}. */
    static final class RecordingTransport implements ReportTransport {
        final List<MimeMessage> mails = new CopyOnWriteArrayList<>();
        final List<String> mailRecipients = new CopyOnWriteArrayList<>();
        final List<URI> posts = new CopyOnWriteArrayList<>();
        final List<byte[]> postBodies = new CopyOnWriteArrayList<>();
        final Set<String> failing = new HashSet<>();

        @Override
        public void mail(MimeMessage report, MailAddress recipient) throws ReportDeliveryException {
            if (failing.contains("mailto:" + recipient.asString())) {
                throw new ReportDeliveryException("queue refused");
            }
            mails.add(report);
            mailRecipients.add(recipient.asString());
        }

        @Override
        public void post(URI endpoint, byte[] gzippedReport) throws ReportDeliveryException {
            if (failing.contains(endpoint.toString())) {
                throw new ReportDeliveryException(endpoint + ": HTTP 503");
            }
            posts.add(endpoint);
            postBodies.add(gzippedReport);
        }

        int deliveries() {
            return mails.size() + posts.size();
        }
    }

    @BeforeEach
    void openStore() throws IOException {
        metrics = new RecordingMetricFactory();
        store = TlsRptStore.open(dir, clock, TlsRptLimits.DEFAULT);
        dns.txt("_smtp._tls." + DOMAIN, "v=TLSRPTv1; rua=mailto:tlsrpt@company-y.example,https://reports.company-y.example/v1");
    }

    private TlsRptSender sender(Duration spread) {
        return new TlsRptSender(store, new TlsRptDiscovery(dns, clock), TlsReportJsonTest.IDENTITY, address("tlsrpt@company-x.example"),
            transport, metrics, clock, spread, 42L);
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void recordDay(int successes, int failures) {
        for (int i = 0; i < successes; i++) {
            store.success(TlsRptFixtures.STS);
        }
        for (int i = 0; i < failures; i++) {
            store.failure(TlsRptFixtures.STS, TlsRptFixtures.EXPIRED);
        }
    }

    private static JsonNode json(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzip))) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static JsonNode json(MimeMessage mail) throws IOException, MessagingException {
        BodyPart report = ((MimeMultipart) mail.getContent()).getBodyPart(1);
        try (InputStream in = new GZIPInputStream(report.getInputStream())) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void aFinishedDayGoesToEveryRuaOnceAfterItsSpreadDelay() throws Exception {
        TlsRptSender sender = sender(TlsRptSender.MAX_SPREAD);
        recordDay(7, 2);
        Duration delay = sender.spread(store.snapshots().get(0).period(), DOMAIN);

        sender.runDue();
        assertThat(transport.deliveries()).as("the day is not over").isZero();
        clock.advance(Duration.between(MORNING, MIDNIGHT).plus(delay).minusSeconds(1));
        sender.runDue();
        assertThat(transport.deliveries()).as("one second before its turn").isZero();
        clock.advance(Duration.ofSeconds(1));
        sender.runDue();
        sender.runDue();

        assertThat(transport.mailRecipients).containsExactly("tlsrpt@company-y.example");
        assertThat(transport.posts).containsExactly(URI.create("https://reports.company-y.example/v1"));
        JsonNode mailed = json(transport.mails.get(0));
        JsonNode posted = json(transport.postBodies.get(0));
        assertThat(mailed).isEqualTo(posted);
        assertThat(mailed.path("date-range").path("start-datetime").asText()).isEqualTo("2026-05-01T00:00:00Z");
        assertThat(mailed.path("date-range").path("end-datetime").asText()).isEqualTo("2026-05-01T23:59:59Z");
        assertThat(mailed.path("policies").get(0).path("summary").path("total-successful-session-count").asLong()).isEqualTo(7);
        assertThat(mailed.path("policies").get(0).path("summary").path("total-failure-session-count").asLong()).isEqualTo(2);
        assertThat(transport.mails.get(0).getSubject()).contains("Report-ID: <" + mailed.path("report-id").asText() + ">");
        assertThat(metrics.countFor(TlsRptSender.METRIC_SENT)).isEqualTo(2);
        assertThat(store.finishedPeriods()).as("a period whose reports are done is deleted").isEmpty();
    }

    @Test
    void theSpreadIsBoundedStableAndDiffersByDomain() {
        TlsRptSender sender = sender(TlsRptSender.MAX_SPREAD);
        ReportPeriod day = ReportPeriod.restOfDay(MIDNIGHT);
        Set<Duration> delays = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration delay = sender.spread(day, "d" + i + ".example");
            assertThat(delay).isBetween(Duration.ZERO, TlsRptSender.MAX_SPREAD);
            assertThat(sender.spread(day, "d" + i + ".example")).isEqualTo(delay);
            delays.add(delay);
        }
        assertThat(delays).hasSizeGreaterThan(190);
        assertThat(delays.stream().anyMatch(d -> d.compareTo(Duration.ofHours(3)) > 0)).isTrue();
        assertThat(delays.stream().anyMatch(d -> d.compareTo(Duration.ofHours(1)) < 0)).isTrue();
    }

    @Test
    void sendNowSendsFinishedDaysAtOnce() {
        TlsRptSender sender = sender(TlsRptSender.MAX_SPREAD);
        recordDay(3, 0);
        clock.advance(Duration.between(MORNING, MIDNIGHT).plusSeconds(1));

        List<TlsRptSender.Outcome> outcomes = sender.sendNow(false);

        assertThat(outcomes).extracting(o -> o.delivery().status()).containsExactly(DomainDelivery.Status.DONE);
        assertThat(transport.deliveries()).isEqualTo(2);
        assertThat(sender.sendNow(false)).as("nothing left to send").isEmpty();
        assertThat(transport.deliveries()).isEqualTo(2);
    }

    @Test
    void sendNowWithTodayReportsTheCountsSoFarAndCountingGoesOn() throws Exception {
        TlsRptSender sender = sender(Duration.ZERO);
        recordDay(4, 1);
        clock.advance(Duration.ofHours(2));

        sender.sendNow(true);
        recordDay(10, 0);
        clock.advance(Duration.ofDays(1));
        sender.runDue();

        assertThat(transport.mails).hasSize(2);
        JsonNode first = json(transport.mails.get(0));
        JsonNode second = json(transport.mails.get(1));
        assertThat(first.path("date-range").path("end-datetime").asText()).isEqualTo("2026-05-01T10:00:00Z");
        assertThat(first.path("policies").get(0).path("summary").path("total-successful-session-count").asLong()).isEqualTo(4);
        assertThat(second.path("date-range").path("start-datetime").asText()).isEqualTo("2026-05-01T10:00:00Z");
        assertThat(second.path("date-range").path("end-datetime").asText()).isEqualTo("2026-05-01T23:59:59Z");
        assertThat(second.path("policies").get(0).path("summary").path("total-successful-session-count").asLong()).isEqualTo(10);
        assertThat(first.path("report-id").asText()).isNotEqualTo(second.path("report-id").asText());
    }

    @Test
    void aDomainWithoutTlsrptRecordGetsNothing() {
        TlsRptSender sender = sender(Duration.ZERO);
        store.success(ReportedPolicy.noPolicyFound("quiet.example"));
        clock.advance(Duration.ofDays(1));

        List<TlsRptSender.Outcome> outcomes = sender.runDue();

        assertThat(outcomes).extracting(o -> o.delivery().status()).containsExactly(DomainDelivery.Status.NO_RECORD);
        assertThat(outcomes.get(0).delivery().note()).contains("no v=TLSRPTv1 TXT record");
        assertThat(transport.deliveries()).isZero();
        assertThat(store.finishedPeriods()).isEmpty();
    }

    @Test
    void aFailedDestinationIsRetriedWithBackoffAndTheOtherIsNotResent() {
        TlsRptSender sender = sender(Duration.ZERO);
        transport.failing.add("https://reports.company-y.example/v1");
        recordDay(1, 0);
        clock.advance(Duration.ofDays(1));

        DomainDelivery first = sender.runDue().get(0).delivery();
        assertThat(first.status()).isEqualTo(DomainDelivery.Status.PENDING);
        assertThat(first.destination("https://reports.company-y.example/v1").orElseThrow().state())
            .isEqualTo(DomainDelivery.DestinationState.RETRY);
        assertThat(first.nextAttempt()).contains(clock.instant().plus(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(9));
        assertThat(sender.runDue()).as("not before the retry time").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        DomainDelivery second = sender.runDue().get(0).delivery();
        assertThat(second.nextAttempt()).contains(clock.instant().plus(Duration.ofMinutes(20)));
        transport.failing.clear();
        clock.advance(Duration.ofMinutes(20));
        DomainDelivery third = sender.runDue().get(0).delivery();

        assertThat(third.status()).isEqualTo(DomainDelivery.Status.DONE);
        assertThat(third.destination("https://reports.company-y.example/v1").orElseThrow().attempts()).isEqualTo(3);
        assertThat(transport.mails).hasSize(1);
        assertThat(transport.posts).hasSize(1);
        assertThat(metrics.countFor(TlsRptSender.METRIC_FAILED)).isEqualTo(2);
        assertThat(metrics.countFor(TlsRptSender.METRIC_SENT)).isEqualTo(2);
        assertThat(third.reportId()).isEqualTo(first.reportId());
    }

    @Test
    void aDestinationIsGivenUpAfterADay() {
        TlsRptSender sender = sender(Duration.ZERO);
        transport.failing.add("https://reports.company-y.example/v1");
        recordDay(1, 0);
        clock.advance(Duration.ofDays(1));
        DomainDelivery last = sender.runDue().get(0).delivery();
        for (int i = 0; i < 20 && !last.isFinal(); i++) {
            clock.advance(TlsRptSender.MAX_RETRY);
            List<TlsRptSender.Outcome> run = sender.runDue();
            last = run.isEmpty() ? last : run.get(0).delivery();
        }

        assertThat(last.status()).isEqualTo(DomainDelivery.Status.DONE);
        assertThat(last.destination("https://reports.company-y.example/v1").orElseThrow().state())
            .isEqualTo(DomainDelivery.DestinationState.FAILED);
        assertThat(last.destination("https://reports.company-y.example/v1").orElseThrow().lastError())
            .hasValueSatisfying(error -> assertThat(error).contains("HTTP 503"));
        assertThat(store.finishedPeriods()).isEmpty();
    }

    @Test
    void afterARestartOnlyWhatWasNotSentGoesOut() throws IOException {
        TlsRptSender sender = sender(Duration.ZERO);
        transport.failing.add("https://reports.company-y.example/v1");
        recordDay(5, 0);
        clock.advance(Duration.ofDays(1));
        String reportId = sender.runDue().get(0).delivery().reportId();
        store.flush();

        store = TlsRptStore.open(dir, clock, TlsRptLimits.DEFAULT); // a new process over the same directory
        TlsRptSender restarted = sender(Duration.ZERO);
        transport.failing.clear();
        clock.advance(Duration.ofMinutes(10));
        DomainDelivery done = restarted.runDue().get(0).delivery();

        assertThat(done.status()).isEqualTo(DomainDelivery.Status.DONE);
        assertThat(done.reportId()).isEqualTo(reportId);
        assertThat(transport.mails).as("sent before the restart, not again").hasSize(1);
        assertThat(transport.posts).hasSize(1);
        assertThat(restarted.sendNow(false)).isEmpty();
    }

    @Test
    void aFailedTlsrptLookupIsRetried() {
        TlsRptSender sender = sender(Duration.ZERO);
        recordDay(1, 0);
        clock.advance(Duration.ofDays(1));
        dns.txtFails = true;

        DomainDelivery pending = sender.runDue().get(0).delivery();
        dns.txtFails = false;
        clock.advance(Duration.ofMinutes(10));
        DomainDelivery done = sender.runDue().get(0).delivery();

        assertThat(pending.status()).isEqualTo(DomainDelivery.Status.PENDING);
        assertThat(pending.note().orElseThrow()).contains("SERVFAIL");
        assertThat(done.status()).isEqualTo(DomainDelivery.Status.DONE);
        assertThat(transport.deliveries()).isEqualTo(2);
    }

    @Test
    void periodsNotSentWithinTheMaximumAgeAreDropped() {
        TlsRptSender sender = sender(Duration.ZERO);
        transport.failing.add("mailto:tlsrpt@company-y.example");
        recordDay(1, 0);
        clock.advance(Duration.ofDays(1).plus(TlsRptStore.MAX_AGE).plusSeconds(1)); // James was down meanwhile

        DomainDelivery attempted = sender.runDue().get(0).delivery();

        assertThat(attempted.status()).as("first attempt: the mailto is still to be retried").isEqualTo(DomainDelivery.Status.PENDING);
        assertThat(transport.posts).hasSize(1);
        assertThat(store.finishedPeriods()).as("but the period is too old to keep").isEmpty();
    }

    @Test
    void eachPolicyDomainGetsItsOwnReport() throws Exception {
        TlsRptSender sender = sender(Duration.ZERO);
        dns.txt("_smtp._tls.mx1.dane.example", "v=TLSRPTv1; rua=mailto:dane-reports@dane.example");
        recordDay(1, 0);
        store.success(TlsRptFixtures.TLSA);
        clock.advance(Duration.ofDays(1));

        sender.runDue();

        assertThat(transport.mailRecipients).containsExactlyInAnyOrder("tlsrpt@company-y.example", "dane-reports@dane.example");
        MimeMessage dane = transport.mails.get(transport.mailRecipients.indexOf("dane-reports@dane.example"));
        assertThat(dane.getHeader("TLS-Report-Domain", null)).isEqualTo("mx1.dane.example");
        assertThat(json(dane).path("policies").get(0).path("policy").path("policy-type").asText()).isEqualTo("tlsa");
    }
}
