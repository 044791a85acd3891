package org.jamestls.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The aggregate report of RFC 8460 §4.4 for one policy domain and period, as I-JSON: {@code organization-name},
 * {@code date-range} ({@code start-datetime}, {@code end-datetime}, RFC 3339 in UTC), {@code contact-info},
 * {@code report-id}, and one {@code policies[]} entry per policy with its {@code policy} ({@code policy-type},
 * {@code policy-string[]}, {@code policy-domain}, {@code mx-host[]}), {@code summary} and {@code failure-details[]}.
 * Arrays are always present (empty when there is nothing), optional row fields are left out when unknown;
 * {@code mx-host} is an array of patterns as the large report senders write it. Gzip-compressed for sending
 * (§5.2).
 */
public final class TlsReportJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TlsReportJson() {
    }

    /** The report as a JSON tree, fields in the RFC's order. */
    public static Map<String, Object> report(ReportIdentity identity, ReportPeriod period, DomainSnapshot domain,
                                             String reportId) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("organization-name", identity.organizationName());
        Map<String, Object> range = new LinkedHashMap<>();
        range.put("start-datetime", period.start().toString());
        range.put("end-datetime", period.reportedEnd().toString());
        root.put("date-range", range);
        root.put("contact-info", identity.contactInfo());
        root.put("report-id", reportId);
        root.put("policies", policies(domain));
        return root;
    }

    /** The {@code policies} array: also what WebAdmin shows of the counters not yet reported. */
    static List<Object> policies(DomainSnapshot domain) {
        List<Object> policies = new ArrayList<>();
        for (PolicySnapshot snapshot : domain.policies()) {
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("policy-type", snapshot.policy().type().label());
            policy.put("policy-string", snapshot.policy().policyStrings());
            policy.put("policy-domain", snapshot.policy().policyDomain());
            policy.put("mx-host", snapshot.policy().mxHosts());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("total-successful-session-count", snapshot.successfulSessions());
            summary.put("total-failure-session-count", snapshot.failedSessions());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("policy", policy);
            entry.put("summary", summary);
            entry.put("failure-details", failureDetails(snapshot));
            policies.add(entry);
        }
        return policies;
    }

    private static List<Object> failureDetails(PolicySnapshot snapshot) {
        List<Object> rows = new ArrayList<>();
        snapshot.failureDetails().forEach((detail, count) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("result-type", detail.resultType().label());
            detail.sendingMtaIp().ifPresent(ip -> row.put("sending-mta-ip", ip));
            detail.receivingMxHostname().ifPresent(mx -> row.put("receiving-mx-hostname", mx));
            detail.receivingIp().ifPresent(ip -> row.put("receiving-ip", ip));
            row.put("failed-session-count", count);
            detail.failureReasonCode().ifPresent(code -> row.put("failure-reason-code", code));
            rows.add(row);
        });
        return rows;
    }

    public static byte[] bytes(Map<String, Object> report) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report of maps and lists always serialises", e);
        }
    }

    public static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
