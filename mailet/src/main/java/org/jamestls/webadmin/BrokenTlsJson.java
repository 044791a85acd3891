package org.jamestls.webadmin;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jamestls.brokentls.BrokenTlsEntry;

/** The broken-TLS memory's entries as plain maps, ready for JSON (GET /tls-policy/broken). */
final class BrokenTlsJson {
    private BrokenTlsJson() {
    }

    /** {@code {"broken": [...]}}: an object, so the answer can also name the node that gave it. */
    static Map<String, Object> entries(List<BrokenTlsEntry> entries) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("broken", entries.stream().map(BrokenTlsJson::entry).collect(Collectors.toList()));
        return json;
    }

    static Map<String, Object> entry(BrokenTlsEntry entry) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("address", entry.key().address().getHostAddress());
        json.put("port", entry.key().port());
        json.put("sourceAddress", entry.key().source().map(InetAddress::getHostAddress).orElse(null));
        json.put("mxHost", entry.mxHost());
        json.put("failure", entry.failure());
        json.put("failedAt", entry.failedAt().toString());
        json.put("until", entry.until().toString());
        json.put("uses", entry.uses());
        return json;
    }
}
