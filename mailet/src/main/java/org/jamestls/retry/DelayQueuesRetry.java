package org.jamestls.retry;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A retry schedule for queues that ignore {@code enQueue(mail, delay)} (James 3.8.1's RabbitMQ queue): a deferred
 * mail gets its due time ({@link #DUE}) and goes to the FIFO queue of its delay, {@code <outgoing>-retry-<delay>}, one
 * per distinct delay of the schedule. In such a queue arrival order is due order, so the few mails a node holds are
 * the ones due next; each node consumes every delay queue ({@link DueTimeMover}), holds what it was handed unacked
 * until it is due, then enqueues it on the outgoing queue and acknowledges it. A mail is held by one node at a time
 * (the queue hands each message to one consumer); a node that dies drops its connection and the queue redelivers
 * what it held to the other nodes.
 */
public final class DelayQueuesRetry implements RetryStrategy {
    private static final Logger LOGGER = LoggerFactory.getLogger(DelayQueuesRetry.class);
    /** Epoch milliseconds at which a deferred mail is due again, set when it enters a delay queue. */
    public static final AttributeName DUE = AttributeName.of("jamestls.retry-due");
    /** Mails one node holds per delay queue (the queue's prefetch): bounds memory, not the backlog. */
    public static final int HELD_PER_QUEUE = 500;

    private final MailQueueFactory<?> factory;
    private final MailQueue outgoing;
    private final Clock clock;
    private final int heldPerQueue;
    private final Map<Duration, DueTimeMover> movers = new ConcurrentHashMap<>();
    private final Scheduler timer = Schedulers.newParallel("tls-retry-timer", 1, true);
    private final Scheduler mover = Schedulers.newBoundedElastic(2, Integer.MAX_VALUE, "tls-retry-move", 60, true);

    DelayQueuesRetry(MailQueueFactory<?> factory, MailQueue outgoing, Clock clock, int heldPerQueue) {
        this.factory = factory;
        this.outgoing = outgoing;
        this.clock = clock;
        this.heldPerQueue = heldPerQueue;
    }

    /** Creates the delay queue of each distinct non-zero delay and starts consuming it. */
    public static DelayQueuesRetry start(MailQueueFactory<?> factory, MailQueue outgoing, Collection<Duration> delays,
                                         Clock clock, int heldPerQueue) {
        DelayQueuesRetry retry = new DelayQueuesRetry(factory, outgoing, clock, heldPerQueue);
        new TreeSet<>(delays).stream().filter(delay -> !delay.isZero()).forEach(retry::moverFor);
        return retry;
    }

    /** {@code tls-outgoing-retry-20s}; whole seconds when the delay has no fraction, else milliseconds. */
    public static String queueName(String outgoing, Duration delay) {
        String suffix = delay.toMillis() % 1000 == 0 ? delay.toSeconds() + "s" : delay.toMillis() + "ms";
        return outgoing + "-retry-" + suffix;
    }

    @Override
    public void defer(Mail mail, Duration delay) throws MailQueue.MailQueueException {
        if (delay.isZero() || delay.isNegative()) {
            outgoing.enQueue(mail);
            return;
        }
        mail.setAttribute(new Attribute(DUE, AttributeValue.of(clock.millis() + delay.toMillis())));
        moverFor(delay).enqueue(mail);
    }

    private DueTimeMover moverFor(Duration delay) {
        return movers.computeIfAbsent(delay, d -> {
            MailQueueName name = MailQueueName.of(queueName(outgoing.getName().asString(), d));
            MailQueue queue = factory.createQueue(name, MailQueueFactory.prefetchCount(heldPerQueue));
            DueTimeMover started = new DueTimeMover(queue, outgoing, clock, timer, mover, heldPerQueue);
            started.start();
            LOGGER.info("Retry delay queue {} consumed (at most {} mails held on this node)", name.asString(),
                heldPerQueue);
            return started;
        });
    }

    /** The delay queues' names, shortest delay first. */
    public List<String> queueNames() {
        return movers.keySet().stream().sorted()
            .map(delay -> queueName(outgoing.getName().asString(), delay))
            .collect(Collectors.toList());
    }

    /** Mails this node holds now, waiting for their due time (all delay queues). */
    public int held() {
        return movers.values().stream().mapToInt(DueTimeMover::held).sum();
    }

    @Override
    public RetryStrategyKind kind() {
        return RetryStrategyKind.DELAY_QUEUES;
    }

    @Override
    public void close() {
        movers.values().forEach(DueTimeMover::close);
        movers.clear();
        timer.dispose();
        mover.dispose();
    }
}
