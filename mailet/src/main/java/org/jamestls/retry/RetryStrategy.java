package org.jamestls.retry;

import java.time.Duration;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

/** Where a deferred mail waits until its next delivery attempt. */
public interface RetryStrategy extends AutoCloseable {

    /** Puts {@code mail} (recipients, retry count and error already set) back for an attempt after {@code delay}. */
    void defer(Mail mail, Duration delay) throws MailQueue.MailQueueException;

    /** The {@code retryStrategy} parameter value this strategy answers to. */
    RetryStrategyKind kind();

    /** Stops whatever the strategy runs in the background; mails it holds go back to their queue. */
    @Override
    default void close() {
    }

    /** The queue's own delay: {@code outgoing.enQueue(mail, delay)}. */
    static RetryStrategy queueDelay(MailQueue outgoing) {
        return new QueueDelayRetry(outgoing);
    }
}
