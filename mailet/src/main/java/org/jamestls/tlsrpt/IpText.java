package org.jamestls.tlsrpt;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * IP addresses as RFC 8460 §4.4 wants them: IPv4 dotted-decimal, IPv6 in RFC 5952's canonical form (lower case,
 * no leading zeros, the longest run of two or more zero groups as "::"). Java's own text keeps every group.
 */
final class IpText {
    private IpText() {
    }

    static String format(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) { // the first of equally long runs wins (§4.2.3)
                bestStart = i;
                bestLength = length;
            }
            i += length;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
