package org.jamestls.policy;

import java.util.Locale;
import java.util.Optional;

/** An {@code on | off} policy option (mtaSts, dane, tlsRpt), printed as written in the policy file. */
public enum Switch {
    ON, OFF;

    public boolean isOn() {
        return this == ON;
    }

    static Optional<Switch> parse(String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        return value.equals("on") ? Optional.of(ON) : value.equals("off") ? Optional.of(OFF) : Optional.empty();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
