package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.testing.Await;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class DeliveryWorkersTest {

    /**
     * Like the JPA app's ActiveMQ queue (JMSCacheableMailQueue): deQueue() is a synchronous flux that blocks the
     * subscribing thread until a mail is there.
     */
    private static class BlockingDequeueQueue implements MailQueue {
        final BlockingQueue<Mail> mails = new LinkedBlockingQueue<>();
        final List<String> completed = new CopyOnWriteArrayList<>();

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
                    sink.next(item(mails.take()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    sink.complete();
                }
            });
        }

        MailQueueItem item(Mail mail) {
            return new MailQueueItem() {
                @Override
                public Mail getMail() {
                    return mail;
                }

                @Override
                public void done(CompletionStatus status) {
                    completed.add(mail.getName() + ":" + status);
                }
            };
        }

        @Override
        public void close() {
        }
    }

    /**
     * Shaped exactly like 3.8.1's JMSCacheableMailQueue.deQueue(): {@code Mono.defer(deQueueOneItem).repeat()}, where
     * each deQueueOneItem blocks in a timed receive and gives nothing when it times out. repeat() subscribes again as
     * soon as one completes, whatever the demand, so the blocking receive runs on whichever thread asked for more.
     */
    private static final class JmsShapedQueue extends BlockingDequeueQueue {
        @Override
        public Publisher<MailQueueItem> deQueue() {
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
    }

    @Test
    void startReturnsAndDeliversWhenTheQueueBlocksTheSubscribingThread() throws Exception {
        BlockingDequeueQueue queue = new BlockingDequeueQueue();
        List<String> processed = new CopyOnWriteArrayList<>();
        QueuedMailDelivery delivery = new QueuedMailDelivery(null, null, null, null, null, null) {
            @Override
            public void process(Mail mail) {
                processed.add(mail.getName());
            }
        };
        DeliveryWorkers workers = new DeliveryWorkers(queue, delivery, 2);
        try {
            // start() runs inside the mailet's init(): it must not be the thread that waits for mail
            CompletableFuture.runAsync(workers::start).get(5, TimeUnit.SECONDS);

            queue.enQueue(MailImpl.builder().name("m1").sender("a@source.test").addRecipient("b@dest.test").build());
            Await.until(() -> !queue.completed.isEmpty(), Duration.ofSeconds(5), "the mail is completed in the queue");
            assertThat(processed).containsExactly("m1");
            assertThat(queue.completed).containsExactly("m1:SUCCESS");
        } finally {
            workers.stop();
        }
    }

    /**
     * An Error (StackOverflowError, OutOfMemoryError) escaping a delivery must still complete its queue item and leave
     * the workers running: Reactor rethrows such errors instead of signalling them, which would leave the item neither
     * done nor retried.
     */
    @Test
    void anErrorInADeliveryHandsTheItemBackAndTheNextMailIsStillDelivered() throws Exception {
        BlockingDequeueQueue queue = new BlockingDequeueQueue();
        List<String> processed = new CopyOnWriteArrayList<>();
        QueuedMailDelivery delivery = new QueuedMailDelivery(null, null, null, null, null, null) {
            @Override
            public void process(Mail mail) {
                processed.add(mail.getName());
                if (mail.getName().equals("m1")) {
                    throw new StackOverflowError("deep");
                }
            }
        };
        DeliveryWorkers workers = new DeliveryWorkers(queue, delivery, 1);
        try {
            workers.start();
            queue.enQueue(MailImpl.builder().name("m1").sender("a@source.test").addRecipient("b@dest.test").build());
            queue.enQueue(MailImpl.builder().name("m2").sender("a@source.test").addRecipient("b@dest.test").build());

            Await.until(() -> queue.completed.size() == 2, Duration.ofSeconds(5), "both mails are completed in the queue");
            assertThat(queue.completed).containsExactly("m1:RETRY", "m2:SUCCESS");
        } finally {
            workers.stop();
        }
    }

    /**
     * RestartPersistenceIT's held mail: with the queue's blocking receive loop running on a delivery worker (a worker
     * asked for the next mail), a mail handed to that same worker waited behind a loop that never ends while the
     * queue is empty; its item was never done and the broker kept it until James stopped. Bursts of mails, each
     * completed in full.
     */
    @Test
    void everyMailOfABurstIsCompletedWhenTheQueueBlocksTheThreadThatAsksForMore() throws Exception {
        JmsShapedQueue queue = new JmsShapedQueue();
        QueuedMailDelivery delivery = new QueuedMailDelivery(null, null, null, null, null, null) {
            @Override
            public void process(Mail mail) {
                Thread.onSpinWait();
            }
        };
        DeliveryWorkers workers = new DeliveryWorkers(queue, delivery, 4);
        try {
            workers.start();
            for (int burst = 1; burst <= 10; burst++) {
                for (int i = 0; i < 20; i++) {
                    queue.enQueue(MailImpl.builder().name("b" + burst + "-m" + i).sender("a@source.test")
                        .addRecipient("b@dest.test").build());
                }
                int expected = burst * 20;
                Await.until(() -> queue.completed.size() == expected, Duration.ofSeconds(10),
                    "all " + expected + " mails completed");
            }
            assertThat(queue.completed).hasSize(200).allMatch(done -> done.endsWith(":SUCCESS"));
        } finally {
            workers.stop();
        }
    }
}
