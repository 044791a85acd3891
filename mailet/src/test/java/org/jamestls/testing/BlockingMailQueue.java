package org.jamestls.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;

/**
 * Like the JPA app's ActiveMQ queue (JMSCacheableMailQueue): {@code deQueue()} is a synchronous flux that blocks the
 * subscribing thread until a mail is there, and takes a mail only when the subscriber asks for one. Records each
 * completion, and how many items were taken and not yet completed (now and at most at once).
 */
public final class BlockingMailQueue implements MailQueue {
    public final BlockingQueue<Mail> mails = new LinkedBlockingQueue<>();
    public final List<String> completed = new CopyOnWriteArrayList<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();

    /** Items taken from the queue and not yet completed. */
    public int outstanding() {
        return outstanding.get();
    }

    public int maxOutstanding() {
        return maxOutstanding.get();
    }

    @Override
    public MailQueueName getName() {
        return MailQueueName.of("blocking");
    }

    @Override
    public void enQueue(Mail mail, Duration delay) {
        mails.add(mail);
    }

    @Override
    public void enQueue(Mail mail) {
        mails.add(mail);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.generate(sink -> {
            try {
                Mail mail = mails.take();
                maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                sink.next(new MailQueueItem() {
                    @Override
                    public Mail getMail() {
                        return mail;
                    }

                    @Override
                    public void done(CompletionStatus status) {
                        outstanding.decrementAndGet();
                        completed.add(mail.getName() + ":" + status);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sink.complete();
            }
        });
    }

    @Override
    public void close() {
    }
}
