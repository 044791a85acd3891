package org.jamestls.retry;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.jamestls.cluster.NodeName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the retry strategy for the {@code retryStrategy} parameter, says why in the log, and starts it. */
public final class RetryStrategies {
    private static final Logger LOGGER = LoggerFactory.getLogger(RetryStrategies.class);

    /**
     * Queue classes of James 3.8.1 whose {@code enQueue(mail, delay)} enqueues at once: RabbitMQMailQueue logs
     * "Ignored delay upon enqueue" and publishes immediately (still so on James's master).
     */
    static final Set<String> DELAY_IGNORING_QUEUES = Set.of(
        "org.apache.james.queue.rabbitmq.RabbitMQMailQueueFactory",
        "org.apache.james.queue.rabbitmq.RabbitMQMailQueue");

    private RetryStrategies() {
    }

    /** Starts the strategy {@code requested} names for {@code outgoing}, whose retries wait {@code delays}. */
    public static RetryStrategy start(RetryStrategyKind requested, MailQueueFactory<?> factory, MailQueue outgoing,
                                      Collection<Duration> delays) {
        Optional<String> ignoring = delayIgnoringClass(factory).or(() -> delayIgnoringClass(outgoing));
        String queue = outgoing.getName().asString();
        switch (requested) {
            case QUEUE_DELAY:
                ignoring.ifPresent(cls -> LOGGER.warn("retryStrategy=queue-delay on {} ({}), which ignores enqueue "
                    + "delays: every deferred mail is retried at once and bounces after maxRetries quick attempts; "
                    + "use auto or delay-queues", queue, cls));
                LOGGER.info("Retry strategy for {}: queue-delay (retryStrategy=queue-delay): the queue holds "
                    + "deferred mail back, node={}", queue, NodeName.current());
                return RetryStrategy.queueDelay(outgoing);
            case DELAY_QUEUES:
                return delayQueues(factory, outgoing, delays, "retryStrategy=delay-queues");
            case AUTO:
            default:
                if (ignoring.isPresent()) {
                    return delayQueues(factory, outgoing, delays, "retryStrategy=auto: " + ignoring.get()
                        + " ignores enqueue delays in James 3.8.1");
                }
                LOGGER.info("Retry strategy for {}: queue-delay (retryStrategy=auto: {} honours enqueue delays), "
                    + "node={}", queue, factory.getClass().getName(), NodeName.current());
                return RetryStrategy.queueDelay(outgoing);
        }
    }

    private static RetryStrategy delayQueues(MailQueueFactory<?> factory, MailQueue outgoing, Collection<Duration> delays,
                                             String why) {
        DelayQueuesRetry retry = DelayQueuesRetry.start(factory, outgoing, delays, Clock.systemUTC(),
            DelayQueuesRetry.HELD_PER_QUEUE);
        LOGGER.info("Retry strategy for {}: delay-queues ({}): deferred mail waits in {} until due, node={}",
            outgoing.getName().asString(), why, retry.queueNames(), NodeName.current());
        return retry;
    }

    /** The first class of {@code object}'s hierarchy that is known to ignore enqueue delays. */
    static Optional<String> delayIgnoringClass(Object object) {
        for (Class<?> c = object.getClass(); c != null; c = c.getSuperclass()) {
            if (DELAY_IGNORING_QUEUES.contains(c.getName())) {
                return Optional.of(c.getName());
            }
        }
        return Optional.empty();
    }
}
