package org.jamestls.tlsrpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamestls.files.AtomicFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A period's counts as a JSON file (our own format, {@code "format": 1}), written whole to a temporary file and
 * renamed over the old one, so a crash leaves either the previous or the new version, never half of one.
 */
final class CounterFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int FORMAT = 1;

    private CounterFile() {
    }

    static void write(Path file, PeriodSnapshot snapshot) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("start", snapshot.period().start().toString());
        root.put("end", snapshot.period().end().toString());
        root.put("running", snapshot.isRunning());
        root.put("droppedSessions", snapshot.droppedSessions());
        root.put("droppedDetails", snapshot.droppedDetails());
        List<Object> domains = new ArrayList<>();
        snapshot.domains().values().forEach(domain -> {
            List<Object> policies = new ArrayList<>();
            domain.policies().forEach(policy -> policies.add(policy(policy)));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("domain", domain.policyDomain());
            d.put("policies", policies);
            domains.add(d);
        });
        root.put("domains", domains);
        AtomicFiles.write(file, JSON.writeValueAsBytes(root));
    }

    private static Map<String, Object> policy(PolicySnapshot policy) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", policy.policy().type().label());
        p.put("policyDomain", policy.policy().policyDomain());
        p.put("strings", policy.policy().policyStrings());
        p.put("mx", policy.policy().mxHosts());
        p.put("successes", policy.successfulSessions());
        p.put("failures", policy.failedSessions());
        List<Object> details = new ArrayList<>();
        policy.failureDetails().forEach((detail, count) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("result", detail.resultType().label());
            detail.sendingMtaIp().ifPresent(v -> row.put("sendingIp", v));
            detail.receivingMxHostname().ifPresent(v -> row.put("mx", v));
            detail.receivingIp().ifPresent(v -> row.put("receivingIp", v));
            detail.failureReasonCode().ifPresent(v -> row.put("reason", v));
            row.put("count", count);
            details.add(row);
        });
        p.put("details", details);
        return p;
    }

    /** @throws IOException unreadable, not our format, or inconsistent: the caller logs and skips the file */
    static PeriodSnapshot read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        try {
            if (root.path("format").asInt() != FORMAT) {
                throw new IOException("not a counter file of format " + FORMAT);
            }
            ReportPeriod period = new ReportPeriod(Instant.parse(text(root, "start")), Instant.parse(text(root, "end")));
            Map<String, DomainSnapshot> domains = new LinkedHashMap<>();
            for (JsonNode d : root.path("domains")) {
                List<PolicySnapshot> policies = new ArrayList<>();
                for (JsonNode p : d.path("policies")) {
                    policies.add(policy(p));
                }
                domains.put(text(d, "domain"), new DomainSnapshot(text(d, "domain"), policies));
            }
            return new PeriodSnapshot(period, root.path("running").asBoolean(), domains,
                root.path("droppedSessions").asLong(), root.path("droppedDetails").asLong());
        } catch (RuntimeException e) {
            throw new IOException("malformed counter file: " + e, e);
        }
    }

    private static PolicySnapshot policy(JsonNode p) throws IOException {
        PolicyType type = PolicyType.fromLabel(text(p, "type"))
            .orElseThrow(() -> new IOException("unknown policy type " + p.path("type")));
        ReportedPolicy policy = ReportedPolicy.of(type, text(p, "policyDomain"), strings(p.path("strings")),
            strings(p.path("mx")));
        Map<FailureDetail, Long> details = new LinkedHashMap<>();
        for (JsonNode row : p.path("details")) {
            ResultType result = ResultType.fromLabel(text(row, "result"))
                .orElseThrow(() -> new IOException("unknown result type " + row.path("result")));
            details.put(FailureDetail.of(result, optional(row, "sendingIp"), optional(row, "mx"),
                optional(row, "receivingIp"), optional(row, "reason")), row.path("count").asLong());
        }
        return new PolicySnapshot(policy, p.path("successes").asLong(), p.path("failures").asLong(), details);
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException("missing " + field);
        }
        return value.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(value.asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(item -> result.add(item.asText()));
        return result;
    }
}
