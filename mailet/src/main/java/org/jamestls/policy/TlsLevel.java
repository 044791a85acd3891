package org.jamestls.policy;

import java.util.Locale;
import java.util.Optional;

/** Momentum's {@code tls} option: whether STARTTLS is skipped, opportunistic or mandatory. */
public enum TlsLevel {
    /** Never issue STARTTLS. */
    NO("no"),
    /** Use STARTTLS when the server offers it, deliver in clear text otherwise. */
    IFAVAILABLE("ifavailable"),
    /** Deliver only over TLS; fail (temporarily) otherwise. */
    REQUIRED("required");

    private final String configName;

    TlsLevel(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the configuration file and in logs. */
    public String configName() {
        return configName;
    }

    /** Parses a configuration value; case-insensitive and trimmed so hand-edited files are forgiving. */
    public static Optional<TlsLevel> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String normalised = value.trim().toLowerCase(Locale.ROOT);
        for (TlsLevel level : values()) {
            if (level.configName.equals(normalised)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return configName;
    }
}
