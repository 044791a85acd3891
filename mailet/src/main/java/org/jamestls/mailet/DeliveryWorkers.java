package org.jamestls.mailet;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Takes mails from the outgoing queue and runs at most {@code deliveryThreads} deliveries at once,
 * each on its own worker thread, so one slow receiver holds only its own worker.
 *
 * <p>The queue is read on a thread of its own ({@code tls-delivery-dequeue}), as James's RemoteDelivery does:
 * some queues' {@code deQueue()} blocks the subscribing thread (the ActiveMQ/JMS queue of the JPA app polls
 * with a blocking {@code receive} in a loop), and {@link #start()} runs inside the mailet's {@code init()}.
 */
public class DeliveryWorkers {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryWorkers.class);

    private final MailQueue queue;
    private final QueuedMailDelivery delivery;
    private final int threads;
    private Scheduler scheduler;
    private Scheduler dequeueScheduler;
    private Disposable subscription;

    public DeliveryWorkers(MailQueue queue, QueuedMailDelivery delivery, int threads) {
        this.queue = queue;
        this.delivery = delivery;
        this.threads = threads;
    }

    public void start() {
        // one queue for all threads: a bounded-elastic scheduler may queue a new delivery behind a busy thread (one
        // held by a hanging receiver) while another thread is about to become free
        AtomicInteger number = new AtomicInteger();
        scheduler = Schedulers.fromExecutorService(Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "tls-delivery-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }), "tls-delivery");
        dequeueScheduler = Schedulers.newSingle("tls-delivery-dequeue");
        subscription = Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> handle(item)).subscribeOn(scheduler), threads)
            .onErrorContinue((error, item) -> LOGGER.error("Unexpected error in the delivery loop", error))
            .subscribeOn(dequeueScheduler)
            .subscribe();
    }

    /**
     * One queue item. {@link QueuedMailDelivery#process} sends every failure of a delivery down the retry schedule;
     * only a queue that refuses to take the mail back, or a failure outside it, hands the item back ({@code RETRY}).
     * Errors are caught too: an OutOfMemoryError or StackOverflowError must not leave the item neither done nor
     * retried, nor end the dequeue loop (Reactor rethrows such errors instead of signalling them).
     */
    private void handle(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            delivery.process(mail);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Throwable e) {
            // the mail stays in the queue (RETRY) rather than being lost
            LOGGER.error("Delivery of mail {} failed unexpectedly; the queue will retry it", mail.getName(), e);
            completeForRetry(item);
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private static void completeForRetry(MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
        } catch (Throwable e) {
            LOGGER.error("Could not hand mail {} back to the queue", item.getMail().getName(), e);
        }
    }

    public void stop() {
        if (subscription != null) {
            subscription.dispose();
        }
        if (dequeueScheduler != null) {
            dequeueScheduler.dispose();
        }
        if (scheduler != null) {
            scheduler.disposeGracefully().timeout(Duration.ofSeconds(5)).onErrorResume(e -> Mono.empty()).block();
        }
    }
}
