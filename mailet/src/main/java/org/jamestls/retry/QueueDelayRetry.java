package org.jamestls.retry;

import java.time.Duration;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

/** Relies on the outgoing queue honouring {@code enQueue(mail, delay)} (memory, ActiveMQ/JMS queues of James). */
final class QueueDelayRetry implements RetryStrategy {
    private final MailQueue outgoing;

    QueueDelayRetry(MailQueue outgoing) {
        this.outgoing = outgoing;
    }

    @Override
    public void defer(Mail mail, Duration delay) throws MailQueue.MailQueueException {
        outgoing.enQueue(mail, delay);
    }

    @Override
    public RetryStrategyKind kind() {
        return RetryStrategyKind.QUEUE_DELAY;
    }
}
