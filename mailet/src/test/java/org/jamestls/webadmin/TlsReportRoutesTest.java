package org.jamestls.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamestls.mailet.MapMailetConfig;
import org.jamestls.testing.FakeDns;
import org.jamestls.mtasts.MutableClock;
import org.jamestls.tlsrpt.ReportTransport;
import org.jamestls.tlsrpt.ReportedPolicy;
import org.jamestls.tlsrpt.TlsRptRegistry;
import org.jamestls.tlsrpt.TlsRptService;
import org.jamestls.tlsrpt.TlsRptSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GET /tls-reports and POST /tls-reports?action=send: statuses and bodies, without a web server. */
class TlsReportRoutesTest {
    @TempDir
    Path dir;

    private final TlsRptRegistry registry = new TlsRptRegistry();
    private final TlsReportRoutes routes = new TlsReportRoutes(registry);
    private final List<String> mailed = new CopyOnWriteArrayList<>();

    private TlsRptService running() throws Exception {
        TlsRptSettings settings = TlsRptSettings.from(new MapMailetConfig().with("tlsRptFrom", "tlsrpt@sender.example"), true)
            .orElseThrow();
        ReportTransport transport = new ReportTransport() {
            @Override
            public void mail(MimeMessage report, MailAddress recipient) {
                mailed.add(recipient.asString());
            }

            @Override
            public void post(URI endpoint, byte[] gzippedReport) {
                throw new UnsupportedOperationException("no https rua in this test");
            }
        };
        TlsRptService service = TlsRptService.start(settings, dir,
            new FakeDns().txt("_smtp._tls.dest.example", "v=TLSRPTv1; rua=mailto:reports@dest.example"), transport,
            new RecordingMetricFactory(), new MutableClock(Instant.parse("2026-05-01T08:00:00Z")));
        registry.register(service);
        return service;
    }

    @Test
    void withoutARunningServiceBothAnswer503() {
        assertThat(routes.list(Set.of()).status).isEqualTo(503);
        TlsReportRoutes.Answer answer = routes.send(Map.of("action", "send"));
        assertThat(answer.status).isEqualTo(503);
        assertThat(answer.body.get("message").toString()).contains("TLS reporting is not running");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "                                   | query parameter 'action' is required: ?action=send",
        "action=delete                      | unknown action 'delete'; allowed: send",
        "action=send&includeToday=yes       | 'includeToday' must be true or false, not 'yes'",
        "action=send&domain=x.example       | unknown query parameter 'domain'; allowed: action, includeToday",
    })
    void badSendRequestsAnswer400(String query, String message) throws Exception {
        try (TlsRptService service = running()) {
            Map<String, String> parameters = new java.util.LinkedHashMap<>();
            if (query != null) {
                for (String pair : query.split("&")) {
                    String[] kv = pair.split("=", 2);
                    parameters.put(kv[0], kv[1]);
                }
            }
            TlsReportRoutes.Answer answer = routes.send(parameters);

            assertThat(answer.status).isEqualTo(400);
            assertThat(answer.body).containsEntry("type", "InvalidArgument").containsEntry("message", message);
        }
    }

    @Test
    void getTakesNoParameters() throws Exception {
        try (TlsRptService service = running()) {
            assertThat(routes.list(Set.of("domain")).status).isEqualTo(400);
        }
    }

    @Test
    void getShowsTheCountersAndSendWithTodaySendsThem() throws Exception {
        try (TlsRptService service = running()) {
            service.store().success(ReportedPolicy.noPolicyFound("dest.example"));

            TlsReportRoutes.Answer counters = routes.list(Set.of());
            assertThat(counters.status).isEqualTo(200);
            assertThat(counters.body.toString()).contains("dest.example").contains("total-successful-session-count=1");

            assertThat(routes.send(Map.of("action", "send")).body).isEqualTo(Map.of("attempted", List.of()));
            TlsReportRoutes.Answer sent = routes.send(Map.of("action", "send", "includeToday", "true"));
            assertThat(sent.status).isEqualTo(200);
            assertThat(sent.body.toString()).contains("policy-domain=dest.example").contains("status=done");
            assertThat(mailed).containsExactly("reports@dest.example");
            // WebAdmin names the answering node in every body (a real James answered 500 while that body was immutable)
            sent.body.put("node", "n1");
            counters.body.put("node", "n1");
        }
    }
}
