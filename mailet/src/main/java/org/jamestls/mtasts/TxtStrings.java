package org.jamestls.mtasts;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a TXT record as James's DNSService hands it over into its text. DNSJavaService returns dnsjava's
 * presentation form: each character-string in double quotes with {@code \"}, {@code \\} and {@code \DDD}
 * escapes, strings separated by a space. RFC 8461 (like SPF) reads the strings concatenated. Also splits the
 * {@code v=<version>; name=value; ...} records of MTA-STS (RFC 8461 §3.1) and TLS reporting (RFC 8460 §3).
 */
public final class TxtStrings {
    private TxtStrings() {
    }

    /** The concatenated text; input that does not start with a quote is taken as already raw. */
    public static String concatenate(String record) {
        String s = record.trim();
        if (!s.startsWith("\"")) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (c != '"') {
                return s; // not the presentation form after all: leave it to the parser to reject
            }
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                char d = s.charAt(i);
                if (d == '\\' && i + 1 < s.length()) {
                    if (i + 3 < s.length() && isDigits(s, i + 1, 3)) {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4)));
                        i += 4;
                    } else {
                        out.append(s.charAt(i + 1));
                        i += 2;
                    }
                } else {
                    out.append(d);
                    i++;
                }
            }
            i++; // closing quote
        }
        return out.toString();
    }

    /**
     * Whether {@code text} starts with {@code version} ({@code v=STSv1}) as a whole token: followed by the end,
     * a ";" or white space ({@code v=STSv10} is another version).
     */
    public static boolean startsWithVersion(String text, String version) {
        if (!text.startsWith(version)) {
            return false;
        }
        return text.length() == version.length() || text.charAt(version.length()) == ';'
            || isWsp(text.charAt(version.length()));
    }

    /**
     * The {@code name=value} fields after the version, in order: grammar {@code version 1*(*WSP ";" *WSP field)
     * [";"]}, one trailing ";" allowed. Names and values are not checked here.
     *
     * @throws IllegalArgumentException the text does not start with the version, or a field is empty or lacks "="
     */
    public static List<Map.Entry<String, String>> fields(String text, String version) {
        if (!startsWithVersion(text, version)) {
            throw new IllegalArgumentException("does not start with " + version);
        }
        String[] parts = text.substring(version.length()).split(";", -1);
        if (!parts[0].isBlank()) {
            throw new IllegalArgumentException("unexpected text after " + version + ": '" + parts[0].trim() + "'");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String field = trimWsp(parts[i]);
            if (field.isEmpty()) {
                if (i == parts.length - 1) {
                    break; // one trailing ";" is allowed
                }
                throw new IllegalArgumentException("empty field");
            }
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("field without '=': '" + field + "'");
            }
            fields.add(new AbstractMap.SimpleImmutableEntry<>(field.substring(0, eq), field.substring(eq + 1)));
        }
        return fields;
    }

    /**
     * The one record of {@code records} that starts with {@code version}, or why there is none: records of other
     * kinds are discarded, and none or several of this kind mean none (RFC 8461 §3.1, RFC 8460 §3).
     */
    public static Single single(Collection<String> records, String version) {
        List<String> candidates = new ArrayList<>();
        for (String record : records) {
            if (record != null && startsWithVersion(concatenate(record), version)) {
                candidates.add(record);
            }
        }
        if (candidates.size() == 1) {
            return new Single(Optional.of(candidates.get(0)), "one " + version + " TXT record");
        }
        return new Single(Optional.empty(), candidates.isEmpty() ? "no " + version + " TXT record"
            : candidates.size() + " " + version + " TXT records (must be one)");
    }

    /** The outcome of {@link #single}. */
    public static final class Single {
        private final Optional<String> record;
        private final String reason;

        private Single(Optional<String> record, String reason) {
            this.record = record;
            this.reason = reason;
        }

        public Optional<String> record() {
            return record;
        }

        /** Why there is no record. */
        public String reason() {
            return reason;
        }
    }

    /** Without leading and trailing spaces and tabs (WSP). */
    public static String trimWsp(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWsp(s.charAt(start))) {
            start++;
        }
        while (end > start && isWsp(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isDigits(String s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
