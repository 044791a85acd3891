package org.jamestls.delivery.settle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.util.DurationParser;

/**
 * When to retry a deferred mail, in RemoteDelivery's {@code delayTime} syntax
 * ({@code [attempts*]duration, ...}, e.g. {@code 4*5 minutes, 3*1 hour}) and how often.
 * Past the listed delays the last one repeats, as in RemoteDelivery.
 */
public final class RetrySchedule {
    public static final Duration DEFAULT_DELAY = Duration.ofHours(6);
    public static final int DEFAULT_MAX_RETRIES = 5;

    private final List<Duration> delays;
    private final int maxRetries;

    private RetrySchedule(List<Duration> delays, int maxRetries) {
        this.delays = List.copyOf(delays);
        this.maxRetries = maxRetries;
    }

    public static RetrySchedule of(List<Duration> delays, int maxRetries) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one delay is needed");
        }
        return new RetrySchedule(delays, maxRetries);
    }

    /** Parses a delayTime value; the message of the exception says which element is wrong and why. */
    public static List<Duration> parseDelays(String delayTime) {
        List<Duration> delays = new ArrayList<>();
        for (String element : delayTime.split(",")) {
            String trimmed = element.trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("empty element in '" + delayTime + "'");
            }
            int times = 1;
            String duration = trimmed;
            int star = trimmed.indexOf('*');
            if (star >= 0) {
                times = parseAttempts(trimmed.substring(0, star).trim(), trimmed);
                duration = trimmed.substring(star + 1).trim();
            }
            Duration delay = parseDuration(duration, trimmed);
            for (int i = 0; i < times; i++) {
                delays.add(delay);
            }
        }
        return delays;
    }

    private static int parseAttempts(String attempts, String element) {
        try {
            int value = Integer.parseInt(attempts);
            if (value < 1) {
                throw new IllegalArgumentException("attempt count must be at least 1 in '" + element + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attempt count '" + attempts + "' is not a number in '" + element + "'");
        }
    }

    private static Duration parseDuration(String duration, String element) {
        try {
            Duration parsed = DurationParser.parse(duration);
            if (parsed.isNegative()) {
                throw new IllegalArgumentException("negative delay in '" + element + "'");
            }
            return parsed;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + duration + "' in '" + element
                + "' is not a duration (a number with an optional unit: ms, s, m, h, d, seconds, minutes, hours, days...)");
        }
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** Delay before retry number {@code retry} (1 for the first retry). */
    public Duration delayBeforeRetry(int retry) {
        int index = Math.min(Math.max(retry, 1), delays.size()) - 1;
        return delays.get(index);
    }

    public List<Duration> delays() {
        return delays;
    }
}
