package org.jamestls.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A MailQueue that only records what was enqueued, with the delay, recipients and retry count at that moment. */
final class RecordingMailQueue implements MailQueue {
    static final class Enqueued {
        final List<MailAddress> recipients;
        final Duration delay;
        final int retryCount;

        Enqueued(Mail mail, Duration delay) {
            this.recipients = List.copyOf(mail.getRecipients());
            this.delay = delay;
            this.retryCount = RetryCount.of(mail);
        }
    }

    final List<Enqueued> enqueued = new ArrayList<>();

    @Override
    public MailQueueName getName() {
        return MailQueueName.of("recording");
    }

    @Override
    public void enQueue(Mail mail, Duration delay) {
        enqueued.add(new Enqueued(mail, delay));
    }

    @Override
    public void enQueue(Mail mail) {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.fromRunnable(() -> enQueue(mail));
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.never();
    }

    @Override
    public void close() {
    }
}
