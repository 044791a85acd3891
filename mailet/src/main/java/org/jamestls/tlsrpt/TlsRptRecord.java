package org.jamestls.tlsrpt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jamestls.mtasts.TxtStrings;

/**
 * The {@code _smtp._tls.<policy-domain>} TXT record (RFC 8460 §3):
 * {@code v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt}. Extension fields are
 * accepted when well formed and ignored; {@code rua} is required, once. URIs of other schemes than mailto and https
 * are skipped; a record with no usable URI left is no record. Bounds: the record text at most
 * {@value #MAX_RECORD_LENGTH} characters, at most {@value #MAX_URIS} URIs used (the rest skipped), each at most
 * {@value ReportUri#MAX_LENGTH} characters. Immutable.
 */
public final class TlsRptRecord {
    static final String VERSION = "v=TLSRPTv1";
    static final int MAX_RECORD_LENGTH = 4096;
    static final int MAX_URIS = 10;
    private static final Pattern EXTENSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    /** %x21-3A / %x3C / %x3E-7E: printable ASCII except ';' and '=' (and space). */
    private static final Pattern EXTENSION_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    private final List<ReportUri> uris;
    private final List<String> skipped;

    private TlsRptRecord(List<ReportUri> uris, List<String> skipped) {
        this.uris = Collections.unmodifiableList(new ArrayList<>(uris));
        this.skipped = Collections.unmodifiableList(new ArrayList<>(skipped));
    }

    /**
     * Parses one record; the zone-file presentation James's DNSService returns ({@code "v=TLSRPTv1; " "rua=..."})
     * is unquoted and its strings concatenated without spaces (RFC 8460 §3).
     *
     * @throws IllegalArgumentException with the reason
     */
    public static TlsRptRecord parse(String txt) {
        String text = TxtStrings.concatenate(txt);
        if (text.length() > MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("record longer than " + MAX_RECORD_LENGTH + " characters");
        }
        String rua = null;
        for (Map.Entry<String, String> field : TxtStrings.fields(text, VERSION)) {
            String name = field.getKey();
            String value = field.getValue();
            if (name.equals("rua")) {
                if (rua != null) {
                    throw new IllegalArgumentException("more than one rua field");
                }
                rua = value;
            } else if (name.equals("v")) {
                throw new IllegalArgumentException("more than one v field");
            } else if (!EXTENSION_NAME.matcher(name).matches() || !EXTENSION_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("malformed field '" + name + "=" + value + "'");
            }
        }
        if (rua == null) {
            throw new IllegalArgumentException("no rua field");
        }
        return fromRua(rua);
    }

    private static TlsRptRecord fromRua(String rua) {
        List<ReportUri> uris = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String candidate : rua.split(",", -1)) {
            String uri = TxtStrings.trimWsp(candidate);
            if (uris.size() >= MAX_URIS) {
                skipped.add(uri + ": more than " + MAX_URIS + " URIs");
                continue;
            }
            try {
                ReportUri parsed = ReportUri.parse(uri);
                if (!uris.contains(parsed)) {
                    uris.add(parsed);
                }
            } catch (IllegalArgumentException e) {
                skipped.add((uri.length() > 100 ? uri.substring(0, 100) + "..." : uri) + ": " + e.getMessage());
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no usable rua URI (" + String.join("; ", skipped) + ")");
        }
        return new TlsRptRecord(uris, skipped);
    }

    /**
     * What the TXT records of {@code _smtp._tls.<domain>} say (RFC 8460 §3): records not starting with
     * {@code v=TLSRPTv1} are discarded; unless exactly one remains, the domain does not ask for reports.
     */
    public static Discovered discovered(Collection<String> txtRecords) {
        TxtStrings.Single single = TxtStrings.single(txtRecords, VERSION);
        if (single.record().isEmpty()) {
            return new Discovered(Optional.empty(), single.reason());
        }
        try {
            TlsRptRecord record = parse(single.record().get());
            return new Discovered(Optional.of(record), record.toString());
        } catch (IllegalArgumentException e) {
            return new Discovered(Optional.empty(), "invalid TLSRPT record: " + e.getMessage());
        }
    }

    /** The outcome of {@link #discovered}: the record, or why there is none. */
    public static final class Discovered {
        private final Optional<TlsRptRecord> record;
        private final String description;

        Discovered(Optional<TlsRptRecord> record, String description) {
            this.record = record;
            this.description = description;
        }

        public Optional<TlsRptRecord> record() {
            return record;
        }

        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** The destinations to send the report to, in the order published, without duplicates. */
    public List<ReportUri> uris() {
        return uris;
    }

    /** URIs that were not used, each with why. */
    public List<String> skipped() {
        return skipped;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsRptRecord && ((TlsRptRecord) o).uris.equals(uris);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uris);
    }

    @Override
    public String toString() {
        return VERSION + "; rua=" + String.join(",", uris.stream().map(ReportUri::text).toArray(String[]::new))
            + (skipped.isEmpty() ? "" : " (skipped: " + String.join("; ", skipped) + ")");
    }
}
