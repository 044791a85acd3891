package org.jamestls.smtp;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One (possibly multi-line) SMTP reply: the three-digit code and its text lines. */
public final class SmtpReply {
    private static final Pattern ENHANCED_CODE = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    private final int code;
    private final List<String> lines;

    public SmtpReply(int code, List<String> lines) {
        this.code = code;
        this.lines = List.copyOf(lines);
    }

    public int code() {
        return code;
    }

    public List<String> lines() {
        return lines;
    }

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    public boolean isTransientNegative() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanentNegative() {
        return code >= 500;
    }

    /**
     * The enhanced status code (RFC 3463) of this reply, its class always the basic code's: the subject and detail the
     * server sent, or {@code .0.0}. RFC 3463 section 2 makes the basic code decide success, temporary or permanent
     * failure, and the enhanced class must agree with it; when a server's does not ({@code 450 5.7.1} from a
     * greylisting server, {@code 550 4.1.1}), the basic code wins, so that reply is retried, this one bounced.
     */
    public String enhancedStatus() {
        String subjectAndDetail = explicitEnhancedStatus().map(status -> status.substring(status.indexOf('.')))
            .orElse(".0.0");
        return (code / 100) + subjectAndDetail;
    }

    /** The enhanced status code as the server wrote it, class included (which may disagree with the basic code). */
    public Optional<String> explicitEnhancedStatus() {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Matcher matcher = ENHANCED_CODE.matcher(lines.get(0));
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }

    /** Whether an EHLO reply lists the given extension keyword (first line is the greeting). */
    public boolean offersExtension(String keyword) {
        return extensionParameters(keyword).isPresent();
    }

    /**
     * The parameters after an EHLO keyword (RFC 5321 section 4.1.1.1: keyword, then a space or, in older servers'
     * {@code AUTH=}, an equals sign), empty text when it has none; absent when the reply does not list it. Asked several
     * times per mail: no regular expression (a profile of the benchmark's drain showed String.split's pattern
     * compiled on each call as 4% of James's CPU).
     */
    public Optional<String> extensionParameters(String keyword) {
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            int end = keywordEnd(line);
            if (line.regionMatches(true, 0, keyword, 0, keyword.length()) && end == keyword.length()) {
                return Optional.of(end < line.length() ? line.substring(end + 1).trim() : "");
            }
        }
        return Optional.empty();
    }

    private static int keywordEnd(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '=') {
                return i;
            }
        }
        return line.length();
    }

    /** Single-line form for logs and DSNs, without CR/LF so it cannot inject header lines. */
    public String asText() {
        return code + " " + String.join(" / ", lines).replaceAll("[\\r\\n]", " ");
    }

    @Override
    public String toString() {
        return asText();
    }
}
