package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.testing.Await;
import org.jamestls.testing.BlockingMailQueue;
import org.junit.jupiter.api.Test;

class DeliveryWorkersTest {

    @Test
    void startReturnsAndDeliversWhenTheQueueBlocksTheSubscribingThread() throws Exception {
        BlockingMailQueue queue = new BlockingMailQueue();
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
        BlockingMailQueue queue = new BlockingMailQueue();
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
        BlockingMailQueue queue = BlockingMailQueue.jmsShaped();
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
