package org.jamestls.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Like the JPA app's ActiveMQ queue (JMSCacheableMailQueue): {@code deQueue()} is a synchronous flux that blocks the
 * subscribing thread until a mail is there, and takes a mail only when the subscriber asks for one. Records each
 * completion, and how many items were taken and not yet completed (now and at most at once).
 */
public final class BlockingMailQueue implements MailQueue {
    public final BlockingQueue<Mail> mails = new LinkedBlockingQueue<>();
    private final boolean jmsShaped;
    public final List<String> completed = new CopyOnWriteArrayList<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();

    public BlockingMailQueue() {
        this(false);
    }

    private BlockingMailQueue(boolean jmsShaped) {
        this.jmsShaped = jmsShaped;
    }

    /**
     * Shaped exactly like 3.8.1's JMSCacheableMailQueue.deQueue(): {@code Mono.defer(deQueueOneItem).repeat()}, where
     * each deQueueOneItem blocks in a timed receive and gives nothing when it times out. repeat() subscribes again as
     * soon as one completes, whatever the demand, so the blocking receive runs on whichever thread asked for more.
     */
    public static BlockingMailQueue jmsShaped() {
        return new BlockingMailQueue(true);
    }

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
        if (jmsShaped) {
            return Mono.defer(() -> {
                try {
                    Mail mail = mails.poll(50, TimeUnit.MILLISECONDS);
                    return mail == null ? Mono.<MailQueueItem>empty() : Mono.just(item(mail));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Mono.<MailQueueItem>empty();
                }
            }).repeat();
        }
        return Flux.generate(sink -> {
            try {
                sink.next(item(mails.take()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sink.complete();
            }
        });
    }

    private MailQueueItem item(Mail mail) {
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        return new MailQueueItem() {
            @Override
            public Mail getMail() {
                return mail;
            }

            @Override
            public void done(CompletionStatus status) {
                outstanding.decrementAndGet();
                completed.add(mail.getName() + ":" + status);
            }
        };
    }

    @Override
    public void close() {
    }
}
