package org.jamestls.dane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * DNSSEC trust anchors: DS or DNSKEY records in zone-file format, parsed once so that a bad file fails
 * at start-up with the line at fault rather than as "every answer insecure" later. Immutable.
 */
public final class TrustAnchors {
    /** Classpath resource with the root zone's anchors, the default of {@code dnssecTrustAnchor}. */
    static final String ROOT_RESOURCE = "root-anchors.zone";

    private final List<Record> records;
    private final String source;

    private TrustAnchors(List<Record> records, String source) {
        this.records = Collections.unmodifiableList(new ArrayList<>(records));
        this.source = source;
    }

    /** The IANA root anchors shipped in the jar (KSK-2017 and KSK-2024 as DS records). */
    public static TrustAnchors root() {
        try (InputStream in = TrustAnchors.class.getResourceAsStream(ROOT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + ROOT_RESOURCE + " missing from the jar");
            }
            return parse(in, "built-in root trust anchor");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in root trust anchor", e);
        }
    }

    /**
     * Reads DS and DNSKEY records (zone-file syntax, absolute names or relative to the root).
     *
     * @param source what the stream is, for error messages (a file name or URL)
     * @throws IOException with the source and the parser's line number when the text is not valid, or
     *     when it holds no DS or DNSKEY record at all (an anchor file that anchors nothing is a mistake)
     */
    public static TrustAnchors parse(InputStream in, String source) throws IOException {
        List<Record> anchors = new ArrayList<>();
        try (Master master = new Master(in, Name.root, 0)) {
            Record r;
            while ((r = master.nextRecord()) != null) {
                if (r.getType() == Type.DS || r.getType() == Type.DNSKEY) {
                    anchors.add(r);
                }
            }
        } catch (IOException | RuntimeException e) {
            // dnsjava says "<none>:2: ..." for a stream without a file name
            String message = String.valueOf(e.getMessage()).replaceFirst("^<none>:(\\d+):", "line $1:");
            throw new IOException("invalid DNSSEC trust anchor in " + source + ": " + message, e);
        }
        if (anchors.isEmpty()) {
            throw new IOException("invalid DNSSEC trust anchor in " + source + ": no DS or DNSKEY record");
        }
        return new TrustAnchors(anchors, source);
    }

    /** Convenience for tests and for anchors held in configuration text. */
    public static TrustAnchors parse(String zoneText, String source) throws IOException {
        return parse(new ByteArrayInputStream(zoneText.getBytes(StandardCharsets.UTF_8)), source);
    }

    /** The DS/DNSKEY records. */
    public List<Record> records() {
        return records;
    }

    /** Names of the zones anchored (the root "." for the default), in file order, without duplicates. */
    public List<Name> zones() {
        Set<Name> names = new LinkedHashSet<>();
        for (Record r : records) {
            names.add(r.getName());
        }
        return List.copyOf(names);
    }

    /** Where the anchors came from (file name, URL or "built-in root trust anchor"). */
    public String source() {
        return source;
    }

    /** The anchors as zone-file text, the form {@code ValidatingResolver.loadTrustAnchors} reads. */
    public String toZoneText() {
        StringBuilder text = new StringBuilder();
        for (Record r : records) {
            text.append(r).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "TrustAnchors" + zones() + " from " + source;
    }
}
