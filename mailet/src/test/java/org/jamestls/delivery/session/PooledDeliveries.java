package org.jamestls.delivery.session;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.mailet.DeliveryWorkers;
import org.jamestls.mailet.QueuedMailDelivery;
import org.jamestls.testing.BlockingMailQueue;
import org.jamestls.testing.ScriptedSmtpServer;

/**
 * The mailet's delivery stage without planning: {@link DeliveryWorkers} take mails from a {@link BlockingMailQueue}
 * and each delivery runs {@link HostDelivery#attempt} with the real {@link SessionPool}, to the scripted receiver
 * that stands for the mail's recipient domain ({@code rcpt@d<i>.test} goes to receiver i). Records each attempt's
 * result; a delivery that throws is recorded too and rethrown (the workers then hand the item back).
 */
final class PooledDeliveries implements AutoCloseable {
    final BlockingMailQueue queue = new BlockingMailQueue();
    final SessionPool pool;
    final DeliveryWorkers workers;
    final List<HostAttemptResult> results = new CopyOnWriteArrayList<>();
    final List<Throwable> thrown = new CopyOnWriteArrayList<>();
    private final Map<String, MxTarget> targets = new ConcurrentHashMap<>();
    private final HostDelivery hostDelivery;
    private final ConnectionPlan plan;

    /**
     * @param maxConcurrentDeliveries workers and the pool's node limit, as the mailet wires them
     * @param messagesPerSession 1 = no reuse (each session closed with QUIT after its mail)
     */
    PooledDeliveries(int maxConcurrentDeliveries, int maxConnectionsPerHost, int messagesPerSession, StartTlsMode mode,
                     List<ScriptedSmtpServer> receivers, int readTimeoutMillis) {
        this(maxConcurrentDeliveries, maxConnectionsPerHost, messagesPerSession, mode,
            receivers.stream().map(ScriptedSmtpServer::port).collect(java.util.stream.Collectors.toList()), readTimeoutMillis);
    }

    /** To receivers on these loopback ports (e.g. in another JVM). */
    PooledDeliveries(int maxConcurrentDeliveries, int maxConnectionsPerHost, int messagesPerSession, StartTlsMode mode,
                     java.util.Collection<Integer> ports, int readTimeoutMillis) {
        pool = new SessionPool(messagesPerSession, Duration.ofSeconds(messagesPerSession > 1 ? 30 : 0),
            maxConnectionsPerHost, maxConcurrentDeliveries);
        hostDelivery = new HostDelivery(20_000, readTimeoutMillis, pool);
        plan = new ConnectionPlan(Optional.empty(), "relay.test", mode, TestTls.unverified());
        int i = 0;
        for (int port : ports) {
            targets.put("d" + i + ".test", new MxTarget("mx.d" + i + ".test", InetAddress.getLoopbackAddress(), port));
            i++;
        }
        workers = new DeliveryWorkers(queue, new QueuedMailDelivery(null, null, null, null, null, null) {
            @Override
            public void process(Mail mail) {
                MailAddress recipient = mail.getRecipients().iterator().next();
                try {
                    results.add(hostDelivery.attempt(targets.get(recipient.getDomain().asString()), plan, mail,
                        mail.getRecipients()));
                } catch (RuntimeException | Error e) {
                    thrown.add(e);
                    throw e;
                }
            }
        }, maxConcurrentDeliveries);
        workers.start();
    }

    /** Queues {@code count} mails, spread over the receivers in turn. */
    void enqueue(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            queue.enQueue(mail("m" + i, "rcpt" + i + "@d" + (i % targets.size()) + ".test"));
        }
    }

    static Mail mail(String name, String recipient) throws Exception {
        return MailImpl.builder().name(name).sender("from@source.test").addRecipient(recipient)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(name).setText("body of " + name + "\r\n"))
            .build();
    }

    long delivered() {
        return results.stream().filter(HostAttemptResult::isTransacted).count();
    }

    @Override
    public void close() {
        workers.stop();
        pool.close();
    }
}
