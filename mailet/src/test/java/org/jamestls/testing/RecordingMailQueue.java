package org.jamestls.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.jamestls.delivery.settle.RetryCount;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A MailQueue that only records what was enqueued, with the delay, recipients and retry count at that moment. */
public final class RecordingMailQueue implements MailQueue {
    public static final class Enqueued {
        public final List<MailAddress> recipients;
        public final Duration delay;
        public final int retryCount;

        Enqueued(Mail mail, Duration delay) {
            this.recipients = List.copyOf(mail.getRecipients());
            this.delay = delay;
            this.retryCount = RetryCount.of(mail);
        }
    }

    public final List<Enqueued> enqueued = new ArrayList<>();

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
