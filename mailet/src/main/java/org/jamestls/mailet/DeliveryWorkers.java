package org.jamestls.mailet;

import java.time.Duration;

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
 *
 * <p>The receive must also never run on a delivery worker. That queue's flux is
 * {@code Mono.defer(receive(10 s)).repeat()}: repeat() subscribes again as soon as one receive completes, whatever
 * the demand, on the thread that asked for the next mail. Had a worker asked (flatMap asks as a delivery ends), the
 * loop went on on that worker for as long as the queue was empty, and a mail the scheduler had just queued on that
 * worker waited behind it, its queue item never done: ActiveMQ kept the message in flight until James stopped
 * (the held mail of RestartPersistenceIT; {@code DeliveryWorkersTest}).
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
        scheduler = Schedulers.newBoundedElastic(threads, Integer.MAX_VALUE, "tls-delivery");
        dequeueScheduler = Schedulers.newSingle("tls-delivery-dequeue");
        // subscribeOn right on the queue's flux, not after flatMap: it also moves flatMap's requests for the next
        // mail (made on a worker as a delivery ends) to the dequeue thread, so the queue's blocking receive runs
        // there and never on a worker (see the class comment)
        subscription = Flux.from(queue.deQueue())
            .subscribeOn(dequeueScheduler)
            .flatMap(item -> Mono.fromRunnable(() -> handle(item)).subscribeOn(scheduler), threads)
            .onErrorContinue((error, item) -> LOGGER.error("Unexpected error in the delivery loop", error))
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
