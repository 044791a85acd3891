package org.jamestls.tlsrpt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The delivery states of one period's reports, one JSON line per change appended to a file and synced to disk
 * before the sender goes on (the last line of a domain wins when read back). So a report marked sent is never sent
 * again after a restart; a crash between a send and its line sends that one report again, with the same
 * report-id. A torn last line is ignored. Thread-safe.
 */
final class DeliveryJournal {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, DomainDelivery> states;

    private DeliveryJournal(Path file, Map<String, DomainDelivery> states) {
        this.file = file;
        this.states = states;
    }

    static DeliveryJournal open(Path file) throws IOException {
        Map<String, DomainDelivery> states = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            lines = List.of();
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                DomainDelivery state = parse(JSON.readTree(line));
                states.put(state.policyDomain(), state);
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("Ignoring a malformed line of the TLS report journal {}: {}", file, e.toString());
            }
        }
        return new DeliveryJournal(file, states);
    }

    synchronized Optional<DomainDelivery> get(String policyDomain) {
        return Optional.ofNullable(states.get(policyDomain));
    }

    synchronized Map<String, DomainDelivery> all() {
        return new LinkedHashMap<>(states);
    }

    /** Writes the state durably, then keeps it. */
    synchronized void record(DomainDelivery state) throws IOException {
        byte[] line = (JSON.writeValueAsString(json(state)) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(file.getParent());
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.DSYNC);
        states.put(state.policyDomain(), state);
    }

    Path file() {
        return file;
    }

    private static Map<String, Object> json(DomainDelivery state) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("domain", state.policyDomain());
        root.put("reportId", state.reportId());
        root.put("status", state.status().name());
        root.put("firstAttempt", state.firstAttempt().toString());
        state.nextAttempt().ifPresent(next -> root.put("nextAttempt", next.toString()));
        state.note().ifPresent(note -> root.put("note", note));
        Map<String, Object> destinations = new LinkedHashMap<>();
        state.destinations().forEach((rua, d) -> {
            Map<String, Object> destination = new LinkedHashMap<>();
            destination.put("state", d.state().name());
            destination.put("attempts", d.attempts());
            d.nextAttempt().ifPresent(next -> destination.put("nextAttempt", next.toString()));
            d.lastError().ifPresent(error -> destination.put("lastError", error));
            destinations.put(rua, destination);
        });
        root.put("destinations", destinations);
        return root;
    }

    private static DomainDelivery parse(JsonNode root) {
        Map<String, DomainDelivery.Destination> destinations = new LinkedHashMap<>();
        root.path("destinations").fields().forEachRemaining(entry -> {
            JsonNode d = entry.getValue();
            destinations.put(entry.getKey(), new DomainDelivery.Destination(
                DomainDelivery.DestinationState.valueOf(d.path("state").asText()), d.path("attempts").asInt(),
                instant(d.get("nextAttempt")), text(d.get("lastError"))));
        });
        return new DomainDelivery(root.path("domain").asText(), root.path("reportId").asText(),
            DomainDelivery.Status.valueOf(root.path("status").asText()), Instant.parse(root.path("firstAttempt").asText()),
            instant(root.get("nextAttempt")), text(root.get("note")), destinations);
    }

    private static Optional<Instant> instant(JsonNode node) {
        return node == null || node.isNull() ? Optional.empty() : Optional.of(Instant.parse(node.asText()));
    }

    private static Optional<String> text(JsonNode node) {
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }
}
