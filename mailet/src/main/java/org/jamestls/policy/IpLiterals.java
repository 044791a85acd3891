package org.jamestls.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IPv4 and IPv6 address literals, parsed without ever looking a name up in DNS. */
public final class IpLiterals {
    private static final Pattern IPV4 =
        Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpLiterals() {
    }

    /** The address {@code raw} (trimmed) spells, or empty when it is not a literal (a host name included). */
    public static Optional<InetAddress> parse(String raw) {
        String value = raw.trim();
        // Only strings that are syntactically literals reach InetAddress, so no DNS lookup can happen.
        if (IPV4.matcher(value).matches() || IPV6_CHARS.matcher(value).matches()) {
            try {
                return Optional.of(InetAddress.getByName(value));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
