package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import org.apache.james.core.MailAddress;
import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The report against the schema of RFC 8460 section 4.4, written as a table (every field, whether required, its
 * JSON type and format), and against a golden example (src/test/resources/org/jamestls/tlsrpt/golden-report.json,
 * shown in the README).
 */
class TlsReportJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ReportIdentity IDENTITY = identity();
    private static final String RFC3339_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final String IPV4 = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}";
    private static final String IPV6 = "[0-9a-f:]*:[0-9a-f:]*"; // lower case, RFC 5952 (IpTextTest checks the details)
    private static final String RESULT_TYPES = "starttls-not-supported|certificate-host-mismatch|certificate-expired"
        + "|certificate-not-trusted|validation-failure|tlsa-invalid|dnssec-invalid|dane-required"
        + "|sts-policy-fetch-error|sts-policy-invalid|sts-webpki-invalid";

    enum Type { STRING, INTEGER, OBJECT, ARRAY }

    /** One field of the schema: where, required or not, JSON type, and for strings a pattern. */
    static final class Field {
        final String path;
        final boolean required;
        final Type type;
        final Pattern format;

        Field(String path, boolean required, Type type, String format) {
            this.path = path;
            this.required = required;
            this.type = type;
            this.format = format == null ? null : Pattern.compile(format);
        }
    }

    /** RFC 8460 section 4.4; "[]" = every element of the array. */
    static final List<Field> SCHEMA = List.of(
        new Field("organization-name", true, Type.STRING, ".+"),
        new Field("date-range", true, Type.OBJECT, null),
        new Field("date-range.start-datetime", true, Type.STRING, RFC3339_UTC),
        new Field("date-range.end-datetime", true, Type.STRING, RFC3339_UTC),
        new Field("contact-info", true, Type.STRING, "[^@\\s]+@[^@\\s]+\\.[^@\\s]+"),
        new Field("report-id", true, Type.STRING, ".+"),
        new Field("policies", true, Type.ARRAY, null),
        new Field("policies[]", true, Type.OBJECT, null),
        new Field("policies[].policy", true, Type.OBJECT, null),
        new Field("policies[].policy.policy-type", true, Type.STRING, "tlsa|sts|no-policy-found"),
        new Field("policies[].policy.policy-string", true, Type.ARRAY, null),
        new Field("policies[].policy.policy-string[]", false, Type.STRING, ".+"),
        new Field("policies[].policy.policy-domain", true, Type.STRING, "[a-z0-9.-]+"),
        new Field("policies[].policy.mx-host", true, Type.ARRAY, null),
        new Field("policies[].policy.mx-host[]", false, Type.STRING, "(\\*\\.)?[a-z0-9.-]+"),
        new Field("policies[].summary", true, Type.OBJECT, null),
        new Field("policies[].summary.total-successful-session-count", true, Type.INTEGER, null),
        new Field("policies[].summary.total-failure-session-count", true, Type.INTEGER, null),
        new Field("policies[].failure-details", true, Type.ARRAY, null),
        new Field("policies[].failure-details[]", false, Type.OBJECT, null),
        new Field("policies[].failure-details[].result-type", true, Type.STRING, RESULT_TYPES),
        new Field("policies[].failure-details[].sending-mta-ip", false, Type.STRING, IPV4 + "|" + IPV6),
        new Field("policies[].failure-details[].receiving-mx-hostname", false, Type.STRING, "[a-z0-9.-]+"),
        new Field("policies[].failure-details[].receiving-mx-helo", false, Type.STRING, ".+"),
        new Field("policies[].failure-details[].receiving-ip", false, Type.STRING, IPV4 + "|" + IPV6),
        new Field("policies[].failure-details[].failed-session-count", true, Type.INTEGER, null),
        new Field("policies[].failure-details[].additional-information", false, Type.STRING, "https?://.+"),
        new Field("policies[].failure-details[].failure-reason-code", false, Type.STRING, "[\\x20-\\x7E]+"));

    @TempDir
    Path dir;

    private static ReportIdentity identity() {
        try {
            return new ReportIdentity("Company-X", new MailAddress("sts-reporting@company-x.example"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A day of the golden example, recorded through the store: MTA-STS, DANE and no-policy sessions. */
    private PeriodSnapshot recordedDay() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2016-04-01T10:00:00Z"));
        TlsRptStore store = TlsRptStore.open(dir, clock, TlsRptLimits.DEFAULT);
        for (int i = 0; i < 5326; i++) {
            store.success(TlsRptFixtures.STS);
        }
        for (int i = 0; i < 100; i++) {
            store.failure(TlsRptFixtures.STS, TlsRptFixtures.EXPIRED);
        }
        for (int i = 0; i < 200; i++) {
            store.failure(TlsRptFixtures.STS, TlsRptFixtures.NO_STARTTLS);
        }
        store.failure(TlsRptFixtures.STS, FailureDetail.of(TlsProblem.mxNotInStsPolicy("mx.backup.example"),
            TlsRptFixtures.STS, java.util.Optional.of(TlsRptFixtures.ip("198.51.100.62")),
            java.util.Optional.of("mx.backup.example"), java.util.Optional.of(TlsRptFixtures.ip("203.0.113.58"))));
        store.failure(ReportedPolicy.stsUnavailable("company-y.example"), FailureDetail.of(
            TlsProblem.stsPolicyUnavailable(failedStsLookup()), ReportedPolicy.stsUnavailable("company-y.example"),
            java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty()));
        clock.advance(Duration.ofDays(1));
        return store.snapshot(store.finishedPeriods().get(0)).orElseThrow();
    }

    private org.jamestls.mtasts.MtaStsLookup failedStsLookup() {
        org.jamestls.testing.FakeDns dns = new org.jamestls.testing.FakeDns()
            .txt("_mta-sts.company-y.example", "v=STSv1; id=1");
        return new org.jamestls.mtasts.MtaStsPolicySource(dns, domain -> {
            throw new org.jamestls.mtasts.MtaStsFetchException("mta-sts.company-y.example: HTTP 503");
        }, new org.jamestls.mtasts.MtaStsPolicyCache(dir.resolve("mtasts")), java.time.Clock.systemUTC())
            .lookup("company-y.example");
    }

    private JsonNode report() throws IOException {
        PeriodSnapshot day = recordedDay();
        Map<String, Object> report = TlsReportJson.report(IDENTITY, day.period(),
            day.domain("company-y.example").orElseThrow(), "20160401T000000Z.5065427c23d347ca@company-x.example");
        return JSON.readTree(TlsReportJson.bytes(report));
    }

    @Test
    void everyFieldFollowsTheSchemaOfSection4_4() throws IOException {
        JsonNode report = report();
        List<String> problems = new ArrayList<>();
        for (Field field : SCHEMA) {
            check(field, report, problems);
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void noFieldOutsideTheSchema() throws IOException {
        Set<String> known = SCHEMA.stream().map(f -> f.path).collect(Collectors.toSet());
        Set<String> present = new TreeSet<>();
        paths(report(), "", present);

        assertThat(present).isSubsetOf(known);
        assertThat(present).contains("policies[].failure-details[].failure-reason-code",
            "policies[].failure-details[].sending-mta-ip", "policies[].policy.mx-host[]");
    }

    @Test
    void theSchemaTableCatchesWhatItShould() {
        ObjectMapper mapper = new ObjectMapper();
        List<String> problems = new ArrayList<>();
        JsonNode bad = mapper.createObjectNode().put("organization-name", "x")
            .set("date-range", mapper.createObjectNode().put("start-datetime", "2016-04-01 00:00:00")
                .put("end-datetime", 5));
        for (Field field : SCHEMA) {
            check(field, bad, problems);
        }
        assertThat(problems).contains("date-range.start-datetime: '2016-04-01 00:00:00' does not match " + RFC3339_UTC,
            "date-range.end-datetime: not a STRING", "contact-info: missing", "policies: missing");
    }

    @Test
    void matchesTheGoldenExample() throws IOException {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("golden-report.json")) {
            golden = JSON.readTree(in);
        }
        assertThat(report()).isEqualTo(golden);
    }

    @Test
    void theGzipHoldsTheSameJson() throws IOException {
        PeriodSnapshot day = recordedDay();
        byte[] json = TlsReportJson.bytes(TlsReportJson.report(IDENTITY, day.period(),
            day.domain("company-y.example").orElseThrow(), "id@company-x.example"));
        byte[] gzip = TlsReportJson.gzip(json);

        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(new String(json, StandardCharsets.UTF_8));
        }
        assertThat(gzip.length).isLessThan(json.length);
    }

    @Test
    void reportIdsAreUniqueAndShapedForTheSubject() {
        ReportPeriod period = ReportPeriod.restOfDay(Instant.parse("2016-04-01T00:00:00Z"));
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(IDENTITY.newReportId(period));
        }
        assertThat(ids).hasSize(10_000)
            .allSatisfy(id -> assertThat(id).matches("20160401T000000Z\\.[0-9a-f]{16}@company-x\\.example"));
        assertThat(ReportIdentity.uniquePart(ids.iterator().next())).matches("[0-9a-f]{16}");
    }

    static void check(Field field, JsonNode root, List<String> problems) {
        for (Located located : locate(root, field.path)) {
            JsonNode value = located.node;
            if (value == null || value.isMissingNode()) {
                if (field.required && located.parentExists) {
                    problems.add(located.path + ": missing");
                }
                continue;
            }
            boolean typeOk = field.type == Type.STRING ? value.isTextual()
                : field.type == Type.INTEGER ? value.isIntegralNumber() && value.asLong() >= 0
                : field.type == Type.OBJECT ? value.isObject() : value.isArray();
            if (!typeOk) {
                problems.add(located.path + ": not a" + (field.type == Type.INTEGER ? "n " : " ") + field.type);
            } else if (field.format != null && !field.format.matcher(value.asText()).matches()) {
                problems.add(located.path + ": '" + value.asText() + "' does not match " + field.format);
            }
        }
    }

    private static final class Located {
        final String path;
        final JsonNode node;
        final boolean parentExists;

        Located(String path, JsonNode node, boolean parentExists) {
            this.path = path;
            this.node = node;
            this.parentExists = parentExists;
        }
    }

    /** Every node a schema path names; "[]" fans out over array elements. */
    private static List<Located> locate(JsonNode root, String path) {
        List<Located> current = List.of(new Located("", root, true));
        for (String step : path.split("\\.")) {
            boolean each = step.endsWith("[]");
            String name = each ? step.substring(0, step.length() - 2) : step;
            List<Located> next = new ArrayList<>();
            for (Located at : current) {
                if (at.node == null || at.node.isMissingNode()) {
                    continue;
                }
                String here = at.path.isEmpty() ? name : at.path + "." + name;
                JsonNode child = at.node.get(name);
                if (!each) {
                    next.add(new Located(here, child, true));
                } else if (child != null && child.isArray()) {
                    for (int i = 0; i < child.size(); i++) {
                        next.add(new Located(here + "[" + i + "]", child.get(i), true));
                    }
                }
            }
            current = next;
        }
        return current;
    }

    private static void paths(JsonNode node, String prefix, Set<String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                out.add(path);
                paths(field.getValue(), path, out);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                out.add(prefix + "[]");
                paths(element, prefix + "[]", out);
            }
        }
    }
}
