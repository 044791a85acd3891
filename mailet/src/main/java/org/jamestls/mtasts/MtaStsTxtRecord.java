package org.jamestls.mtasts;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1): {@code v=STSv1; id=<1-32 alphanumerics>}, optionally
 * followed by extension fields, which are accepted and ignored.
 */
public final class MtaStsTxtRecord {
    private static final String VERSION = "v=STSv1";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final Pattern EXTENSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    /** %x21-3A / %x3C / %x3E-7E: printable ASCII except ';' and '='. */
    private static final Pattern EXTENSION_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    private final String id;

    private MtaStsTxtRecord(String id) {
        this.id = id;
    }

    /** The policy id; a change tells senders to fetch the policy again. */
    public String id() {
        return id;
    }

    /**
     * Parses one record's text. Accepts the raw text and also the zone-file presentation ({@code "v=STSv1; " "id=1"})
     * that James's dnsjava-based DNSService returns: quoted character-strings are unquoted and concatenated.
     */
    public static MtaStsTxtRecord parse(String txt) throws MtaStsParseException {
        List<Map.Entry<String, String>> fields;
        try {
            fields = TxtStrings.fields(TxtStrings.concatenate(txt), VERSION);
        } catch (IllegalArgumentException e) {
            throw new MtaStsParseException(e.getMessage());
        }
        String id = null;
        for (Map.Entry<String, String> field : fields) {
            String name = field.getKey();
            String value = field.getValue();
            if (name.equals("id")) {
                if (id != null) {
                    throw new MtaStsParseException("more than one id field");
                }
                if (!ID.matcher(value).matches()) {
                    throw new MtaStsParseException("id must be 1 to 32 letters or digits, got '" + value + "'");
                }
                id = value;
            } else if (!EXTENSION_NAME.matcher(name).matches() || !EXTENSION_VALUE.matcher(value).matches()) {
                throw new MtaStsParseException("malformed field '" + name + "=" + value + "'");
            }
        }
        if (id == null) {
            throw new MtaStsParseException("no id field");
        }
        return new MtaStsTxtRecord(id);
    }

    /**
     * What the TXT records of {@code _mta-sts.<domain>} announce (RFC 8461 §3.1): records not starting with
     * {@code v=STSv1} are discarded; unless exactly one valid record remains, no policy is announced.
     */
    public static Announcement announced(Collection<String> txtRecords) {
        TxtStrings.Single single = TxtStrings.single(txtRecords, VERSION);
        if (single.record().isEmpty()) {
            return new Announcement(Optional.empty(), single.reason());
        }
        try {
            MtaStsTxtRecord record = parse(single.record().get());
            return new Announcement(Optional.of(record), "id=" + record.id());
        } catch (MtaStsParseException e) {
            return new Announcement(Optional.empty(), "invalid TXT record: " + e.getMessage());
        }
    }

    /** The outcome of {@link #announced}: the record, or why there is none. */
    public static final class Announcement {
        private final Optional<MtaStsTxtRecord> record;
        private final String description;

        private Announcement(Optional<MtaStsTxtRecord> record, String description) {
            this.record = record;
            this.description = description;
        }

        /** Nothing announced, for a reason found outside the records (e.g. the lookup failed). */
        static Announcement nothing(String reason) {
            return new Announcement(Optional.empty(), reason);
        }

        public Optional<MtaStsTxtRecord> record() {
            return record;
        }

        /** "id=..." or the reason no policy is announced. */
        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MtaStsTxtRecord && ((MtaStsTxtRecord) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id);
    }

    @Override
    public String toString() {
        return VERSION + "; id=" + id;
    }
}
