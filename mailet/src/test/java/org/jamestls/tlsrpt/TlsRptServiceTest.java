package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamestls.mailet.MapMailetConfig;
import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The assembled service as WebAdmin sees it: the unreported counters, a send now, and the flush at close. */
class TlsRptServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T08:00:00Z"));
    private final TlsRptSenderTest.RecordingTransport transport = new TlsRptSenderTest.RecordingTransport();

    private TlsRptService start() throws Exception {
        TlsRptSettings settings = TlsRptSettings.from(new MapMailetConfig().with("tlsRptFrom", "tlsrpt@sender.example")
            .with("tlsRptOrganization", "Sender Inc."), true).orElseThrow();
        FakeDns dns = new FakeDns().txt("_smtp._tls.company-y.example", "v=TLSRPTv1; rua=mailto:r@company-y.example");
        return TlsRptService.start(settings, dir, dns, transport, new RecordingMetricFactory(), clock);
    }

    @Test
    void theUnreportedCountersPerPeriodAndDomain() throws Exception {
        try (TlsRptService service = start()) {
            service.store().success(TlsRptFixtures.STS);
            service.store().failure(TlsRptFixtures.STS, TlsRptFixtures.NO_STARTTLS);

            JsonNode view = JSON.valueToTree(service.unreported());

            JsonNode today = view.path("periods").get(0);
            assertThat(today.path("start-datetime").asText()).isEqualTo("2026-05-01T00:00:00Z");
            assertThat(today.path("end-datetime").asText()).isEqualTo("2026-05-01T23:59:59Z");
            assertThat(today.path("running").asBoolean()).isTrue();
            assertThat(today.path("dropped-sessions").asLong()).isZero();
            JsonNode policy = today.path("domains").path("company-y.example").path("policies").get(0);
            assertThat(policy.path("policy").path("policy-type").asText()).isEqualTo("sts");
            assertThat(policy.path("summary").path("total-successful-session-count").asLong()).isEqualTo(1);
            assertThat(policy.path("failure-details").get(0).path("result-type").asText()).isEqualTo("starttls-not-supported");
        }
    }

    @Test
    void sendNowWithTodayAnswersWhatWasSentAndTheCountsLeaveTheView() throws Exception {
        try (TlsRptService service = start()) {
            service.store().success(TlsRptFixtures.STS);
            clock.advance(java.time.Duration.ofMinutes(5));

            JsonNode answer = JSON.valueToTree(service.sendNow(true));

            JsonNode attempted = answer.path("attempted").get(0);
            assertThat(attempted.path("policy-domain").asText()).isEqualTo("company-y.example");
            assertThat(attempted.path("end-datetime").asText()).isEqualTo("2026-05-01T08:05:00Z");
            assertThat(attempted.path("report").path("status").asText()).isEqualTo("done");
            assertThat(attempted.path("report").path("destinations").path("mailto:r@company-y.example").path("state").asText())
                .isEqualTo("sent");
            assertThat(transport.mails).hasSize(1);
            JsonNode periods = JSON.valueToTree(service.unreported()).path("periods");
            assertThat(periods).as("the cut period is reported and gone, the new one is empty").hasSize(1);
            assertThat(periods.get(0).path("domains").isEmpty()).isTrue();
        }
    }

    @Test
    void aRestartKeepsEachDomainsTurn() throws Exception {
        ReportPeriod day = ReportPeriod.restOfDay(Instant.parse("2026-05-02T00:00:00Z"));
        java.time.Duration before;
        try (TlsRptService service = start()) {
            before = service.sender().spread(day, "company-y.example");
        }
        try (TlsRptService service = start()) {
            assertThat(service.sender().spread(day, "company-y.example")).isEqualTo(before);
        }
        assertThat(dir.resolve(TlsRptService.SEED_FILE)).exists();
        assertThat(TlsRptService.spreadSeed(dir.resolve("another-node"))).isNotEqualTo(TlsRptService.spreadSeed(dir));
    }

    @Test
    void closingWritesTheCounters() throws Exception {
        TlsRptService service = start();
        service.store().success(TlsRptFixtures.STS);
        service.close();

        TlsRptStore reopened = TlsRptStore.open(dir, clock, TlsRptLimits.DEFAULT);
        assertThat(reopened.snapshots().get(0).domain("company-y.example")).isPresent();
    }
}
