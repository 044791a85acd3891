package org.jamestls.mtasts;

/**
 * Turns a TXT record as James's DNSService hands it over into its text. DNSJavaService returns dnsjava's
 * presentation form: each character-string in double quotes with {@code \"}, {@code \\} and {@code \DDD}
 * escapes, strings separated by a space. RFC 8461 (like SPF) reads the strings concatenated.
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

    private static boolean isDigits(String s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
