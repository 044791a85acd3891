package org.jamestls.retry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A FIFO queue with RabbitMQ's consumer semantics, for what James's memory queue cannot show: each message goes to
 * one consumer and stays unacknowledged there until {@code done}; when a consumer's connection drops
 * (its subscription is cancelled) its unacknowledged messages go back to the head of the queue for the other consumers, and
 * acknowledgements arriving from the dead consumer afterwards are ignored. It ignores enqueue delays, as
 * RabbitMQMailQueue does. Stands in for RabbitMQ only in unit tests; the cluster ITs use the real broker.
 */
final class AmqpLikeQueue implements MailQueue {
    private final MailQueueName name;
    private final Deque<Mail> ready = new ArrayDeque<>();
    private final List<Consumer> consumers = new ArrayList<>();

    private final class Consumer {
        final FluxSink<MailQueueItem> sink;
        final Map<Long, Mail> unacked = new LinkedHashMap<>();
        boolean alive = true;
        long requested;

        Consumer(FluxSink<MailQueueItem> sink) {
            this.sink = sink;
        }
    }

    private long tags;
    private int next;

    AmqpLikeQueue(String name) {
        this.name = MailQueueName.of(name);
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public synchronized void enQueue(Mail mail, Duration delay) {
        ready.addLast(mail);
        dispatch();
    }

    @Override
    public void enQueue(Mail mail) {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Flux.<Void>empty().doOnSubscribe(s -> enQueue(mail));
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.create(sink -> {
            Consumer consumer = new Consumer(sink);
            synchronized (this) {
                consumers.add(consumer);
            }
            sink.onRequest(n -> {
                synchronized (AmqpLikeQueue.this) {
                    consumer.requested = Math.min(Long.MAX_VALUE / 2, consumer.requested + n);
                    dispatch();
                }
            });
            sink.onCancel(() -> dropConnection(consumer));
        });
    }

    /** The consumer's connection is gone (cancelled, or its node died): what it held goes back to the head. */
    private synchronized void dropConnection(Consumer consumer) {
        if (!consumer.alive) {
            return;
        }
        consumer.alive = false;
        List<Mail> back = new ArrayList<>(consumer.unacked.values());
        consumer.unacked.clear();
        for (int i = back.size() - 1; i >= 0; i--) {
            ready.addFirst(back.get(i));
        }
        dispatch();
    }

    synchronized int consumers() {
        return consumers.size();
    }

    /** Consumers that asked for mail and may be handed some (RabbitMQ's basic.qos credit, here the Reactor demand). */
    synchronized long consumersWithCredit() {
        return consumers.stream().filter(c -> c.alive && c.requested > 0).count();
    }

    synchronized int ready() {
        return ready.size();
    }

    /** Round robin over the consumers with credit left, as RabbitMQ spreads a queue over its consumers. */
    private void dispatch() {
        boolean progress = true;
        while (progress && !ready.isEmpty()) {
            progress = false;
            for (int i = 0; i < consumers.size() && !ready.isEmpty(); i++) {
                Consumer consumer = consumers.get((next + i) % consumers.size());
                if (consumer.alive && consumer.requested > 0) {
                    deliver(consumer, ready.pollFirst());
                    progress = true;
                }
            }
            next++;
        }
    }

    private void deliver(Consumer consumer, Mail mail) {
        long tag = ++tags;
        consumer.unacked.put(tag, mail);
        consumer.requested--;
        consumer.sink.next(new MailQueueItem() {
            @Override
            public Mail getMail() {
                return mail;
            }

            @Override
            public void done(CompletionStatus status) {
                synchronized (AmqpLikeQueue.this) {
                    if (!consumer.alive || consumer.unacked.remove(tag) == null) {
                        return; // unknown delivery tag on a dead channel
                    }
                    if (status == CompletionStatus.RETRY) {
                        ready.addFirst(mail);
                        dispatch();
                    }
                }
            }
        });
    }

    @Override
    public void close() {
    }
}
