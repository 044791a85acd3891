package org.jamestls.it.bench.vehicle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * TEST VEHICLE of the benchmark's drain phase, not part of the product: it is built into its own small jar
 * ({@code -bench-vehicle.jar}, Maven profile {@code benchmark}) that only the benchmark's James gets in
 * {@code extensions-jars/}.
 *
 * <p>It does what a delivering mailet's {@code service()} does (one copy per recipient domain named
 * {@code <name>-to-<domain>}, like RemoteDelivery and TlsRemoteDelivery) but puts each copy on the named James mail
 * queue with a long delay, so that the queue fills while nothing is delivered. WebAdmin's
 * {@code PATCH /mailQueues/<queue>/mails?delayed=true} with {@code {"delayed": false}} (James 3.8.1
 * {@code MailQueueRoutes}, {@code ManageableMailQueue.flush()}) then makes them all due at once, and the delivering
 * mailet's own workers, which read that queue, drain it.
 *
 * <pre>
 * &lt;mailet match="All" class="org.jamestls.it.bench.vehicle.HoldInQueue"&gt;
 *   &lt;queue&gt;tls-outgoing&lt;/queue&gt;   &lt;!-- the delivering mailet's outgoing queue --&gt;
 *   &lt;delaySeconds&gt;3600&lt;/delaySeconds&gt;
 * &lt;/mailet&gt;
 * </pre>
 */
public class HoldInQueue extends GenericMailet {

    private final MailQueueFactory<?> queueFactory;
    private MailQueue queue;
    private Duration delay;

    @Inject
    public HoldInQueue(MailQueueFactory<?> queueFactory) {
        this.queueFactory = queueFactory;
    }

    @Override
    public void init() throws MessagingException {
        String name = getInitParameter("queue");
        if (name == null || name.isBlank()) {
            throw new MessagingException("HoldInQueue: the 'queue' parameter is required");
        }
        long seconds = Long.parseLong(getInitParameter("delaySeconds", "3600"));
        // the memory queue compares delays as int milliseconds: keep well below 24 days
        if (seconds < 1 || seconds > 86_400) {
            throw new MessagingException("HoldInQueue: delaySeconds must be 1..86400, was " + seconds);
        }
        delay = Duration.ofSeconds(seconds);
        queue = queueFactory.createQueue(MailQueueName.of(name));
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String originalName = mail.getName();
        Map<Domain, Collection<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            byDomain.computeIfAbsent(recipient.getDomain(), d -> new ArrayList<>()).add(recipient);
        }
        for (Map.Entry<Domain, Collection<MailAddress>> entry : byDomain.entrySet()) {
            mail.setRecipients(entry.getValue());
            mail.setName(originalName + "-to-" + entry.getKey().asString());
            queue.enQueue(mail, delay);
        }
        mail.setState(Mail.GHOST);
    }

    @Override
    public String getMailetInfo() {
        return "HoldInQueue: benchmark test vehicle, queues each mail with a long delay";
    }
}
