package org.jamestls.policy;

import java.util.Locale;
import java.util.Optional;

/** Momentum's {@code tls_verify}: what is checked about the receiver's certificate. */
public enum TlsVerify {
    /** Nothing is checked (the default): protects against passive eavesdropping only. */
    NO,
    /** The chain must verify against the trust store ({@code tlsCa} or the JDK's). */
    CA,
    /** The chain, and the MX host name against the certificate (RFC 6125). */
    HOST,
    /** Chain and host name are checked and the result recorded, but a failure never stops delivery. */
    OPTIONAL;

    public static Optional<TlsVerify> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String normalized = value.trim().toUpperCase(Locale.ROOT);
        for (TlsVerify verify : values()) {
            if (verify.name().equals(normalized)) {
                return Optional.of(verify);
            }
        }
        return Optional.empty();
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return configName();
    }
}
