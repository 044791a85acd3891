package org.jamestls.mtasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.jamestls.names.HostNames;

/**
 * A parsed policy file (RFC 8461 §3.2): mode, MX patterns and max_age. Keeps the text it was parsed from, so the
 * cache can store exactly what the domain served and parse it again after a restart.
 */
public final class MtaStsPolicy {
    /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year). */
    public static final long MAX_AGE_LIMIT_SECONDS = 31_557_600L;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");

    private final MtaStsMode mode;
    private final List<String> mxPatterns;
    private final Duration maxAge;
    private final String text;

    private MtaStsPolicy(MtaStsMode mode, List<String> mxPatterns, Duration maxAge, String text) {
        this.mode = mode;
        this.mxPatterns = Collections.unmodifiableList(new ArrayList<>(mxPatterns));
        this.maxAge = maxAge;
        this.text = text;
    }

    /**
     * Parses a policy file. Lines end in LF or CRLF; keys are case-sensitive; unknown keys are ignored (extensions);
     * {@code mx} may repeat, the other known keys may not. {@code enforce} and {@code testing} need at least one
     * {@code mx}, because a policy allowing no MX at all would block all mail.
     */
    public static MtaStsPolicy parse(String text) throws MtaStsParseException {
        String version = null;
        MtaStsMode mode = null;
        Long maxAgeSeconds = null;
        List<String> mx = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = stripTrailingWsp(lines[n]);
            if (line.isEmpty()) {
                continue; // the final line terminator, or a stray blank line: harmless
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new MtaStsParseException("line " + (n + 1) + " is not 'key: value': '" + line + "'");
            }
            String key = line.substring(0, colon);
            String value = stripLeadingWsp(line.substring(colon + 1));
            if (!KEY.matcher(key).matches()) {
                throw new MtaStsParseException("line " + (n + 1) + " has an invalid key '" + key + "'");
            }
            switch (key) {
                case "version":
                    requireOnce(version, key);
                    version = value;
                    break;
                case "mode":
                    requireOnce(mode, key);
                    mode = MtaStsMode.fromKeyword(value).orElseThrow(() -> new MtaStsParseException(
                        "mode must be enforce, testing or none, got '" + value + "'"));
                    break;
                case "max_age":
                    requireOnce(maxAgeSeconds, key);
                    maxAgeSeconds = maxAge(value);
                    break;
                case "mx":
                    mx.add(mxPattern(value));
                    break;
                default:
                    break; // extension field
            }
        }
        if (version == null) {
            throw new MtaStsParseException("no version field");
        }
        if (!version.equals("STSv1")) {
            throw new MtaStsParseException("version must be STSv1, got '" + version + "'");
        }
        if (mode == null) {
            throw new MtaStsParseException("no mode field");
        }
        if (maxAgeSeconds == null) {
            throw new MtaStsParseException("no max_age field");
        }
        if (mx.isEmpty() && mode != MtaStsMode.NONE) {
            throw new MtaStsParseException("mode " + mode.keyword() + " without any mx field");
        }
        return new MtaStsPolicy(mode, mx, Duration.ofSeconds(maxAgeSeconds), text);
    }

    public MtaStsMode mode() {
        return mode;
    }

    /** Lower-case, without trailing dot, in file order; {@code *.} marks a wildcard. */
    public List<String> mxPatterns() {
        return mxPatterns;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** The policy file exactly as fetched. */
    public String text() {
        return text;
    }

    /**
     * Whether an MX host name is allowed (RFC 8461 §4.1): case-insensitive, a trailing dot ignored, and
     * {@code *.example.com} matches one extra left-most label ({@code mx.example.com}, not {@code example.com}
     * nor {@code a.b.example.com}).
     */
    public boolean matches(String mxHost) {
        String host = HostNames.normalize(mxHost);
        if (host.isEmpty()) {
            return false;
        }
        for (String pattern : mxPatterns) {
            if (pattern.startsWith("*.")) {
                String parent = pattern.substring(1); // ".example.com"
                if (host.endsWith(parent)) {
                    String label = host.substring(0, host.length() - parent.length());
                    if (!label.isEmpty() && label.indexOf('.') < 0) {
                        return true;
                    }
                }
            } else if (pattern.equals(host)) {
                return true;
            }
        }
        return false;
    }

    private static String mxPattern(String value) throws MtaStsParseException {
        String pattern = HostNames.normalize(value);
        String domain = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        String[] labels = domain.split("\\.", -1);
        if (domain.isEmpty()) {
            throw new MtaStsParseException("invalid mx pattern '" + value + "'");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new MtaStsParseException("invalid mx pattern '" + value + "'");
            }
        }
        return pattern;
    }

    private static long maxAge(String value) throws MtaStsParseException {
        if (!MAX_AGE.matcher(value).matches()) {
            throw new MtaStsParseException("max_age must be 1 to 10 digits, got '" + value + "'");
        }
        long seconds = Long.parseLong(value);
        if (seconds > MAX_AGE_LIMIT_SECONDS) {
            throw new MtaStsParseException("max_age " + seconds + " exceeds " + MAX_AGE_LIMIT_SECONDS);
        }
        return seconds;
    }

    private static void requireOnce(Object existing, String key) throws MtaStsParseException {
        if (existing != null) {
            throw new MtaStsParseException(key + " appears more than once");
        }
    }


    private static String stripTrailingWsp(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String stripLeadingWsp(String s) {
        int start = 0;
        while (start < s.length() && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        return s.substring(start);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MtaStsPolicy)) {
            return false;
        }
        MtaStsPolicy other = (MtaStsPolicy) o;
        return mode == other.mode && mxPatterns.equals(other.mxPatterns) && maxAge.equals(other.maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, mxPatterns, maxAge);
    }

    /** {@code enforce mx=[*.example.com] max_age=604800}. */
    @Override
    public String toString() {
        return mode.keyword() + " mx=" + mxPatterns + " max_age=" + maxAge.getSeconds();
    }
}
