package org.jamestls.policy;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.util.DurationParser;

/**
 * The {@code tlsRememberBroken} option: {@code off}, or how long an MX address whose TLS handshake failed is
 * remembered as broken (written like {@code 1 hour} or {@code 30 minutes}), so that {@code ifavailable} mail
 * goes to it in plaintext for that long instead of failing the handshake again.
 *
 * <p>Read by the delivery planner (under an operator's {@code ifavailable} only) and shown by WebAdmin
 * {@code effective}. Immutable; two values are equal when they remember for the same time, whatever the spelling.
 */
public final class RememberBroken {
    public static final RememberBroken OFF = new RememberBroken(Duration.ZERO, "off");

    static final Duration MIN = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofDays(31);
    static final String ALLOWED = "off, or a duration with a unit from 1 second to 31 days, e.g. '1 hour', "
        + "'30 minutes', '90 s' (units: ms, s, m, h, d, w and their long forms)";

    // a unit is required: a bare number would leave the reader guessing between seconds and minutes
    private static final Pattern WRITTEN = Pattern.compile("([0-9]{1,9})\\s*([A-Za-z]+)");

    private final Duration duration;
    private final String written;

    private RememberBroken(Duration duration, String written) {
        this.duration = duration;
        this.written = written;
    }

    /** Remembers for {@code duration} (at least {@link #MIN}, at most {@link #MAX}). */
    public static RememberBroken of(Duration duration) {
        if (duration.compareTo(MIN) < 0 || duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("tlsRememberBroken must be from " + MIN + " to " + MAX + ": " + duration);
        }
        return new RememberBroken(duration, duration.getSeconds() + " s");
    }

    static Optional<RememberBroken> parse(String raw) {
        String value = raw.trim();
        if (value.equalsIgnoreCase("off")) {
            return Optional.of(OFF);
        }
        Matcher matcher = WRITTEN.matcher(value);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            Duration duration = DurationParser.parse(value);
            if (duration.compareTo(MIN) < 0 || duration.compareTo(MAX) > 0) {
                return Optional.empty();
            }
            return Optional.of(new RememberBroken(duration,
                Long.parseLong(matcher.group(1)) + " " + matcher.group(2).toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknownUnit) {
            return Optional.empty();
        }
    }

    public boolean isOn() {
        return !duration.isZero();
    }

    /** How long a broken handshake is remembered; empty when off. */
    public Optional<Duration> duration() {
        return isOn() ? Optional.of(duration) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RememberBroken && duration.equals(((RememberBroken) o).duration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(duration);
    }

    /** As written in the policy file, normalised: {@code off}, {@code 1 hour}, {@code 30 minutes}. */
    @Override
    public String toString() {
        return written;
    }
}
