package org.jamestls.delivery.settle;

import java.time.Duration;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

/**
 * Where a deferred mail goes to wait for its next attempt: the one seam every re-enqueue goes through, so a
 * queue that cannot delay (RabbitMQ's in James 3.8.1 ignores the delay) can get a retry strategy of its own.
 */
@FunctionalInterface
public interface RetryQueue {
    void defer(Mail mail, Duration delay) throws MailQueue.MailQueueException;

    /** The outgoing queue itself, trusted to hold the mail back for {@code delay}. */
    static RetryQueue of(MailQueue queue) {
        return queue::enQueue;
    }
}
