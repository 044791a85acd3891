package org.jamestls.testvehicle;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.mailet.TlsRemoteDelivery;
import org.jamestls.tlsrpt.TlsRptRegistry;
import org.jamestls.webadmin.LoadedPolicies;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TEST VEHICLE, never for production: {@link TlsRemoteDelivery} whose hand-overs after a transaction fail once per
 * mail, so that a real James shows what the settle step does with such a failure. Parameters on top of the mailet's:
 * <ul>
 *   <li>{@code faultFirstHandOverTo}: processors (comma-separated, e.g. {@code delivered, bounces}) to which the first
 *     copy of each mail handed over throws, as a {@code sendMail} into a broken spool would;</li>
 *   <li>{@code faultFirstRequeue}: {@code true} makes the first delayed re-enqueue of each mail throw, as a queue that
 *     cannot store it would;</li>
 *   <li>{@code faultRecipientDomain}: only mails with a recipient in this domain meet the faults (not, say, the DSNs
 *     the test's mail causes).</li>
 * </ul>
 * Each injected fault is logged as {@code Test vehicle: injected fault ...}.
 */
public class FaultInjectingTlsRemoteDelivery extends TlsRemoteDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(FaultInjectingTlsRemoteDelivery.class);

    /** What fails, read in init() before the mailet wires itself (which asks for the context and the queue). */
    private static final class Faults {
        final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        volatile Set<String> processors = Set.of();
        volatile boolean requeue;
        volatile String recipientDomain = "";

        /** True the first time for this mail (by its original name) and kind of hand-over, for the chosen recipients. */
        boolean firstTime(String kind, Mail mail) {
            boolean chosen = mail.getRecipients().stream()
                .anyMatch(recipient -> recipient.getDomain().asString().equalsIgnoreCase(recipientDomain));
            if (!chosen) {
                return false;
            }
            String name = mail.getName();
            int copySuffix = name.indexOf("-!");
            return failedOnce.add(kind + " " + (copySuffix < 0 ? name : name.substring(0, copySuffix)));
        }
    }

    private final Faults faults;
    private MailetContext faultyContext;

    @Inject
    public FaultInjectingTlsRemoteDelivery(DNSService dnsService, MailQueueFactory<?> queueFactory, FileSystem fileSystem,
                                           MetricFactory metricFactory, LoadedPolicies loadedPolicies,
                                           BrokenTlsMemory brokenTls, TlsRptRegistry tlsRptRegistry) {
        this(new Faults(), dnsService, queueFactory, fileSystem, metricFactory, loadedPolicies, brokenTls, tlsRptRegistry);
    }

    private FaultInjectingTlsRemoteDelivery(Faults faults, DNSService dnsService, MailQueueFactory<?> queueFactory,
                                            FileSystem fileSystem, MetricFactory metricFactory, LoadedPolicies loadedPolicies,
                                            BrokenTlsMemory brokenTls, TlsRptRegistry tlsRptRegistry) {
        super(dnsService, new FaultyQueues(queueFactory, faults), fileSystem, metricFactory, loadedPolicies, brokenTls,
            tlsRptRegistry);
        this.faults = faults;
    }

    @Override
    public void init() throws MessagingException {
        faults.processors = Arrays.stream(Optional.ofNullable(getInitParameter("faultFirstHandOverTo")).orElse("").split(","))
            .map(String::trim).filter(name -> !name.isEmpty()).collect(Collectors.toSet());
        faults.requeue = Boolean.parseBoolean(getInitParameter("faultFirstRequeue"));
        faults.recipientDomain = Optional.ofNullable(getInitParameter("faultRecipientDomain")).orElse("").trim();
        LOGGER.info("Test vehicle: for recipients in {}, first hand-over to {} fails, first re-enqueue fails: {}",
            faults.recipientDomain, faults.processors, faults.requeue);
        super.init();
    }

    @Override
    public synchronized MailetContext getMailetContext() {
        if (faultyContext == null) {
            faultyContext = FaultyContext.wrap(super.getMailetContext(), (mail, processor) -> {
                if (faults.processors.contains(processor) && faults.firstTime("sendMail " + processor, mail)) {
                    LOGGER.info("Test vehicle: injected fault handing {} (recipients {}) to processor {}", mail.getName(),
                        mail.getRecipients(), processor);
                    throw new MessagingException("test vehicle: injected fault handing " + mail.getName() + " to " + processor);
                }
            });
        }
        return faultyContext;
    }

    /** The queues the mailet creates, whose delayed enqueue fails the first time per mail when asked to. */
    private static final class FaultyQueues implements MailQueueFactory<MailQueue> {
        private final MailQueueFactory<?> queues;
        private final Faults faults;

        FaultyQueues(MailQueueFactory<?> queues, Faults faults) {
            this.queues = queues;
            this.faults = faults;
        }

        @Override
        public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
            return queues.getQueue(name, count).map(this::faulty);
        }

        @Override
        public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
            return faulty(queues.createQueue(name, count));
        }

        @Override
        public Set<MailQueueName> listCreatedMailQueues() {
            return queues.listCreatedMailQueues();
        }

        private MailQueue faulty(MailQueue queue) {
            return new MailQueue() {
                @Override
                public MailQueueName getName() {
                    return queue.getName();
                }

                @Override
                public void enQueue(Mail mail, Duration delay) throws MailQueueException {
                    if (faults.requeue && !delay.isZero() && faults.firstTime("requeue", mail)) {
                        LOGGER.info("Test vehicle: injected fault re-enqueuing {} (recipients {}) with delay {}", mail.getName(),
                            mail.getRecipients(), delay);
                        throw new MailQueueException("test vehicle: injected fault re-enqueuing " + mail.getName());
                    }
                    queue.enQueue(mail, delay);
                }

                @Override
                public void enQueue(Mail mail) throws MailQueueException {
                    queue.enQueue(mail);
                }

                @Override
                public Publisher<Void> enqueueReactive(Mail mail) {
                    return queue.enqueueReactive(mail);
                }

                @Override
                public Publisher<MailQueueItem> deQueue() {
                    return queue.deQueue();
                }

                @Override
                public void close() throws java.io.IOException {
                    queue.close();
                }
            };
        }
    }
}
