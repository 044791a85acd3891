package org.jamestls.smtpin;

import java.util.Locale;
import java.util.Optional;

/**
 * Finds the {@code REQUIRETLS} parameter in a MAIL command's argument ({@code FROM:<a@b.example> SIZE=10 REQUIRETLS}),
 * splitting the argument the way James 3.8.1's {@code MailCmdHandler} does (parameters start one space after the
 * first {@code >} that follows a {@code <}, separated by spaces), but matching the keyword case-insensitively,
 * as ESMTP keywords are (RFC 5321 section 2.4), where James matches value-less parameters case-sensitively.
 */
final class RequireTlsParameter {
    static final String KEYWORD = "REQUIRETLS";

    private RequireTlsParameter() {
    }

    /**
     * Empty when the argument has no REQUIRETLS parameter; otherwise its value: {@code ""} for the plain keyword
     * (the only valid form: RFC 8689 section 2), or what follows {@code =}.
     */
    static Optional<String> in(String argument) {
        if (argument == null) {
            return Optional.empty();
        }
        int colon = argument.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String path = argument.substring(colon + 1).trim();
        int close = path.indexOf('>', path.indexOf('<'));
        if (close < 0 || path.length() <= close + 2 || path.charAt(close + 1) != ' ') {
            return Optional.empty();
        }
        for (String parameter : path.substring(close + 2).trim().split("\\s+")) {
            int equals = parameter.indexOf('=');
            String name = equals > 0 ? parameter.substring(0, equals) : parameter;
            if (name.toUpperCase(Locale.US).equals(KEYWORD)) {
                return Optional.of(equals > 0 ? parameter.substring(equals + 1) : "");
            }
        }
        return Optional.empty();
    }
}
