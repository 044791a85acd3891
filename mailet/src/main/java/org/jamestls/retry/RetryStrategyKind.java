package org.jamestls.retry;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Values of the mailet parameter {@code retryStrategy}. */
public enum RetryStrategyKind {
    /** {@link #DELAY_QUEUES} when the outgoing queue is known to ignore delays, else {@link #QUEUE_DELAY}. */
    AUTO("auto"),
    /** {@code enQueue(mail, delay)} on the outgoing queue: the queue holds the mail back. */
    QUEUE_DELAY("queue-delay"),
    /** One queue per distinct delay of the schedule, emptied back into the outgoing queue as mails fall due. */
    DELAY_QUEUES("delay-queues");

    private final String configName;

    RetryStrategyKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Optional<RetryStrategyKind> parse(String value) {
        return Arrays.stream(values()).filter(kind -> kind.configName.equalsIgnoreCase(value.trim())).findFirst();
    }

    public static String allowed() {
        return Arrays.stream(values()).map(RetryStrategyKind::configName).collect(Collectors.joining(" | "));
    }
}
