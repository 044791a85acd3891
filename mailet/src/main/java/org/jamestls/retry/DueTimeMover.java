package org.jamestls.retry;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamestls.cache.TimedCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Consumes one delay queue: holds each mail it is handed, unacknowledged, on a timer until its due time, then puts it
 * on the outgoing queue and acknowledges it. Nothing polls: the queue pushes at most {@code maxHeld} mails, and a
 * slot frees only when a held mail falls due, so the next mail is fetched when it can be due soon.
 *
 * <p>A second copy of a deferral this node has already moved (same mail name, same retry count) is dropped: a node
 * killed after putting its deferred copy here and before acknowledging the original on {@code outgoing} has the
 * original redelivered to another node, which defers it again (and James's spool does the same with a mail split
 * just before a kill). Both copies fall due within seconds, and the survivor moves them: one is enough.
 */
final class DueTimeMover implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DueTimeMover.class);
    /** Wait before trying again to hand a due mail to the outgoing queue when that failed. */
    static final Duration MOVE_RETRY_DELAY = Duration.ofSeconds(5);
    /** James's retry counter on a mail, as delivery.settle.RetryCount writes it (that package sits above this one). */
    private static final AttributeName RETRY_COUNT = AttributeName.of("delivery_retry_count");
    /** How long a moved deferral is remembered, and how many: a duplicate falls due within seconds of the first. */
    static final Duration MOVED_MEMORY = Duration.ofMinutes(10);
    static final int MOVED_MEMORY_SIZE = 100_000;

    /** A mail this node holds; settled exactly once, by the move or by {@link #close}. */
    private static final class Held {
        final MailQueue.MailQueueItem item;
        final AtomicBoolean settled = new AtomicBoolean();

        Held(MailQueue.MailQueueItem item) {
            this.item = item;
        }
    }

    private final MailQueue delayQueue;
    private final MailQueue outgoing;
    private final Clock clock;
    private final Scheduler timer;
    private final Scheduler mover;
    private final int maxHeld;
    private final Set<Held> held = ConcurrentHashMap.newKeySet();
    private final TimedCache<String, Boolean> moved;
    private Scheduler dequeue;
    private Disposable subscription;

    DueTimeMover(MailQueue delayQueue, MailQueue outgoing, Clock clock, Scheduler timer, Scheduler mover, int maxHeld) {
        this.delayQueue = delayQueue;
        this.outgoing = outgoing;
        this.clock = clock;
        this.timer = timer;
        this.mover = mover;
        this.maxHeld = maxHeld;
        this.moved = TimedCache.create(MOVED_MEMORY_SIZE, MOVED_MEMORY, clock);
    }

    void start() {
        // some queues' deQueue() blocks the subscribing thread (see DeliveryWorkers): give it one of its own
        dequeue = Schedulers.newSingle("tls-retry-dequeue-" + delayQueue.getName().asString(), true);
        // right on the queue's flux: flatMap's requests for more (made on a mover thread as a move ends) go to the
        // dequeue thread too, so a blocking receive loop never takes over a mover thread (see DeliveryWorkers)
        subscription = Flux.from(delayQueue.deQueue())
            .subscribeOn(dequeue)
            .flatMap(item -> holdUntilDue(new Held(item)), maxHeld)
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
                .doBeforeRetry(signal -> LOGGER.warn("Consuming {} failed; subscribing again",
                    delayQueue.getName().asString(), signal.failure())))
            .subscribe();
    }

    void enqueue(Mail mail) throws MailQueue.MailQueueException {
        delayQueue.enQueue(mail);
    }

    int held() {
        return held.size();
    }

    private Mono<Void> holdUntilDue(Held mail) {
        held.add(mail);
        return Mono.defer(() -> Mono.delay(untilDue(mail.item.getMail()), timer))
            .publishOn(mover)
            .then(Mono.fromRunnable(() -> moveToOutgoing(mail)))
            .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, MOVE_RETRY_DELAY)
                .doBeforeRetry(signal -> LOGGER.error("Could not move due mail {} from {} to {}; trying again in {}s",
                    mail.item.getMail().getName(), delayQueue.getName().asString(), outgoing.getName().asString(),
                    MOVE_RETRY_DELAY.toSeconds(), signal.failure())))
            .doFinally(signal -> held.remove(mail))
            .then();
    }

    private Duration untilDue(Mail mail) {
        long due = AttributeUtils.getValueAndCastFromMail(mail, DelayQueuesRetry.DUE, Long.class).orElse(0L);
        return Duration.ofMillis(Math.max(0, due - clock.millis()));
    }

    /** Outgoing first, then the acknowledgement: a crash in between duplicates the move, never loses the mail. */
    private void moveToOutgoing(Held held) {
        if (!held.settled.compareAndSet(false, true)) {
            return; // given back by close()
        }
        Mail mail = held.item.getMail();
        String deferral = mail.getName() + " retry " + AttributeUtils.getValueAndCastFromMail(mail, RETRY_COUNT, Integer.class)
            .map(String::valueOf).orElse("-");
        if (moved.get(deferral).isPresent()) {
            LOGGER.warn("Dropping a second copy of deferred mail {} ({}) from {}: this node moved the first one to {}"
                + " (a node killed between deferring it and acknowledging it leaves two)", mail.getName(), deferral,
                delayQueue.getName().asString(), outgoing.getName().asString());
            complete(held, CompletionStatus.SUCCESS);
            return;
        }
        try {
            mail.removeAttribute(DelayQueuesRetry.DUE);
            outgoing.enQueue(mail);
        } catch (MailQueue.MailQueueException | RuntimeException e) {
            held.settled.set(false);
            throw new IllegalStateException("enqueue on " + outgoing.getName().asString() + " failed", e);
        }
        moved.put(deferral, Boolean.TRUE, MOVED_MEMORY);
        LOGGER.debug("Mail {} due, moved from {} to {}", mail.getName(), delayQueue.getName().asString(),
            outgoing.getName().asString());
        complete(held, CompletionStatus.SUCCESS);
    }

    private void complete(Held held, CompletionStatus status) {
        try {
            held.item.done(status);
        } catch (Exception e) {
            // RabbitMQ: after close() the channel is gone and the broker has requeued the message by itself
            LOGGER.debug("Could not complete {} as {} on {}", held.item.getMail().getName(), status,
                delayQueue.getName().asString(), e);
        } finally {
            LifecycleUtil.dispose(held.item.getMail());
        }
    }

    /** Stops consuming; whatever is still held goes back to the delay queue, to this or another node. */
    @Override
    public void close() {
        if (subscription != null) {
            subscription.dispose();
        }
        for (Held mail : held) {
            if (mail.settled.compareAndSet(false, true)) {
                complete(mail, CompletionStatus.RETRY);
            }
        }
        held.clear();
        if (dequeue != null) {
            dequeue.dispose();
        }
    }
}
