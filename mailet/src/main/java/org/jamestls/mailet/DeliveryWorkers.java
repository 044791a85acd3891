package org.jamestls.mailet;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * Takes mails from the outgoing queue and runs at most {@code maxConcurrentDeliveries} deliveries at once, each on a
 * thread of its own while it runs, so one slow receiver holds only its own delivery.
 *
 * <p>At most that many items are taken from the queue and not yet completed: the dequeue asks the queue for one more
 * only when a delivery ends ({@code flatMap} with that concurrency), so no backlog is pulled into memory. An item is
 * completed ({@code SUCCESS}, or {@code RETRY} when handing it on failed) only after its delivery settled it.
 *
 * <p>Delivery threads are started as deliveries are handed over, up to the limit, and each ends after
 * {@value #THREAD_TTL_SECONDS} s without work; an idle pooled SMTP session holds none. (Reactor's bounded-elastic
 * scheduler, used before, now and then left a task queued on a worker that never ran it: {@code SessionLimitsTest}
 * saw one delivery of 24 never start.)
 * They get a {@value #STACK_KIB} KiB stack: the delivery code needs no deep stack (the 8-bit conversion refuses more
 * than 100 MIME levels before recursing, {@code EightBitDowngradeTest} runs 100 on this size), and the JVM default
 * (1 MiB on x64) times a few hundred threads would reserve hundreds of MB.
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
    static final int STACK_KIB = 256;
    static final int THREAD_TTL_SECONDS = 60;

    private final MailQueue queue;
    private final QueuedMailDelivery delivery;
    private final int maxConcurrentDeliveries;
    private final AtomicInteger running = new AtomicInteger();
    private ThreadPoolExecutor executor;
    private Scheduler dequeueScheduler;
    private Disposable subscription;

    public DeliveryWorkers(MailQueue queue, QueuedMailDelivery delivery, int maxConcurrentDeliveries) {
        this.queue = queue;
        this.delivery = delivery;
        this.maxConcurrentDeliveries = maxConcurrentDeliveries;
    }

    public void start() {
        // never refuses a delivery: the dequeue bounds what is handed over, and a hand-over can happen on a delivery
        // thread that has just finished (Reactor drains there), which must not wait for a thread
        executor = new ThreadPoolExecutor(maxConcurrentDeliveries, maxConcurrentDeliveries, THREAD_TTL_SECONDS,
            TimeUnit.SECONDS, new LinkedBlockingQueue<>(), smallStackThreads());
        executor.allowCoreThreadTimeOut(true);
        dequeueScheduler = Schedulers.newSingle("tls-delivery-dequeue");
        // subscribeOn right on the queue's flux, not after flatMap: it also moves flatMap's requests for the next
        // mail (made on a worker as a delivery ends) to the dequeue thread, so the queue's blocking receive runs
        // there and never on a worker (see the class comment)
        subscription = Flux.from(queue.deQueue())
            .subscribeOn(dequeueScheduler)
            .flatMap(this::deliver, maxConcurrentDeliveries)
            .onErrorContinue((error, item) -> LOGGER.error("Unexpected error in the delivery loop", error))
            .subscribe();
    }

    /** Deliveries running now (items taken from the queue and not yet completed). */
    public int running() {
        return running.get();
    }

    /**
     * Runs the item's delivery on a delivery thread. The task is not tied to the subscription: cancelling the dequeue
     * at shutdown does not interrupt a delivery half way; {@link #stop} lets it finish.
     */
    private Mono<Void> deliver(MailQueue.MailQueueItem item) {
        return Mono.create(done -> {
            running.incrementAndGet();
            try {
                executor.execute(() -> {
                    try {
                        handle(item);
                    } finally {
                        running.decrementAndGet();
                        done.success();
                    }
                });
            } catch (RuntimeException rejected) {
                // stopping: the item was taken but no delivery can start; the queue keeps it
                running.decrementAndGet();
                completeForRetry(item);
                done.success();
            }
        });
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

    /**
     * Stops taking mail, then lets the deliveries already running finish and complete their items, waiting up to
     * {@code grace}; when some still run then, {@code overrun} is called (the mailet aborts the busy sessions, so
     * their deliveries end as deferrals) and they get {@code grace} once more before their threads are interrupted.
     */
    public void stop(Duration grace, Runnable overrun) {
        if (subscription != null) {
            subscription.dispose();
        }
        if (dequeueScheduler != null) {
            dequeueScheduler.dispose();
        }
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (!awaitIdle(grace)) {
            LOGGER.warn("{} deliveries still running {} ms after the stop; closing their sessions", running(),
                grace.toMillis());
            overrun.run();
            if (!awaitIdle(grace)) {
                LOGGER.warn("{} deliveries still running; interrupting them", running());
            }
        }
        executor.shutdownNow();
    }

    public void stop() {
        stop(Duration.ofSeconds(5), () -> { });
    }

    private boolean awaitIdle(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (running() > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static ThreadFactory smallStackThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(null, runnable, "tls-delivery-" + number.incrementAndGet(), STACK_KIB * 1024L);
            thread.setDaemon(true);
            return thread;
        };
    }
}
