package org.jamestls.mailet;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.util.DurationParser;
import org.apache.mailet.MailetConfig;

/**
 * Reads mailet parameters strictly: a bad value stops start-up with a message naming the mailet,
 * the parameter, the value and what is allowed, instead of silently taking a default.
 */
final class MailetParameters {
    private final MailetConfig config;

    MailetParameters(MailetConfig config) {
        this.config = config;
    }

    Optional<String> string(String name) {
        return Optional.ofNullable(config.getInitParameter(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    /** True when the parameter is written in the configuration, even with an empty value. */
    boolean rawIsPresent(String name) {
        return config.getInitParameter(name) != null;
    }

    String string(String name, String defaultValue) {
        return string(name).orElse(defaultValue);
    }

    int integer(String name, int defaultValue, int min, int max) throws MessagingException {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw invalid(name, raw.get(), "a whole number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "a whole number from " + min + " to " + max);
        }
    }

    /** A duration such as {@code 10 s} or {@code 2 minutes}; a bare number is seconds. */
    Duration duration(String name, Duration defaultValue) throws MessagingException {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        if (raw.get().matches("0+\\s*[a-zA-Z]*")) {
            return Duration.ZERO;
        }
        try {
            Duration value = DurationParser.parse(raw.get(), ChronoUnit.SECONDS);
            if (value.isNegative()) {
                throw invalid(name, raw.get(), "a duration of zero or more, e.g. '10 s' or '2 minutes'");
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw invalid(name, raw.get(), "a duration of zero or more, e.g. '10 s' or '2 minutes'");
        }
    }

    boolean bool(String name, boolean defaultValue) throws MessagingException {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        if (raw.get().equalsIgnoreCase("true")) {
            return true;
        }
        if (raw.get().equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(name, raw.get(), "true or false");
    }

    MessagingException invalid(String name, String value, String allowed) {
        return new MessagingException("Invalid configuration of mailet " + config.getMailetName()
            + " in mailetcontainer.xml: <" + name + ">" + value + "</" + name + "> is not valid; allowed: " + allowed);
    }
}
