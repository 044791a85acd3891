package org.jamestls.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.delivery.settle.RetryCount;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A MailQueue that only records what was enqueued, with the delay, recipients and retry count at that moment, and a
 * copy of the mail as the queue took it (a real queue stores its own copy too). Each enqueue is a
 * {@link HandOverFaults} step, so it can be made to fail.
 */
public final class RecordingMailQueue implements MailQueue {
    public static final class Enqueued {
        public final List<MailAddress> recipients;
        public final Duration delay;
        public final int retryCount;
        public final String name;
        /** The queue's own copy. */
        public final Mail mail;

        Enqueued(Mail mail, Duration delay) throws MessagingException {
            this.recipients = List.copyOf(mail.getRecipients());
            this.delay = delay;
            this.retryCount = RetryCount.of(mail);
            this.name = mail.getName();
            this.mail = copy(mail);
        }
    }

    public final List<Enqueued> enqueued = new ArrayList<>();
    private final HandOverFaults faults;

    public RecordingMailQueue() {
        this(HandOverFaults.none());
    }

    public RecordingMailQueue(HandOverFaults faults) {
        this.faults = faults;
    }

    /** A copy of {@code mail} as a queue keeps it: same name, recipients, attributes and message. */
    public static Mail copy(Mail mail) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        copy.setName(mail.getName());
        copy.setState(mail.getState());
        return copy;
    }

    @Override
    public MailQueueName getName() {
        return MailQueueName.of("recording");
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        try {
            faults.step("enQueue " + mail.getName());
            enqueued.add(new Enqueued(mail, delay));
        } catch (MailQueueException e) {
            throw e;
        } catch (MessagingException e) {
            throw new MailQueueException(e.getMessage(), e);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.fromRunnable(() -> {
            try {
                enQueue(mail);
            } catch (MailQueueException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.never();
    }

    @Override
    public void close() {
    }
}
