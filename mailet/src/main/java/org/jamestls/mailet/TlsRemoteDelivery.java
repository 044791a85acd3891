package org.jamestls.mailet;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.TlsRptRecorder;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.session.HostDelivery;
import org.jamestls.delivery.session.SessionPool;
import org.jamestls.delivery.settle.Bouncer;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.delivery.settle.SuccessForwarder;
import org.jamestls.policy.BindingSelector;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.retry.RetryStrategies;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsMaterialException;
import org.jamestls.tlsrpt.TlsRptRegistry;
import org.jamestls.tlsrpt.TlsRptService;
import org.jamestls.webadmin.LoadedPolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound delivery with Momentum's per-destination {@code tls} policy ({@code no | ifavailable | required}
 * in the global, binding group, binding and domain scopes). Like RemoteDelivery, {@link #service} only
 * queues one copy per recipient domain; worker threads deliver from the queue, defer with the retry
 * schedule and bounce through James. With {@code tlsRpt on} in some scope it also runs TLS reporting (RFC 8460):
 * attempts counted, daily reports sent, WebAdmin's {@code /tls-reports} answered.
 */
public class TlsRemoteDelivery extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRemoteDelivery.class);
    private static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(15);

    private final DNSService dnsService;
    private final MailQueueFactory<?> queueFactory;
    private final FileSystem fileSystem;
    private final MetricFactory metricFactory;
    private final LoadedPolicies loadedPolicies;
    private final BrokenTlsMemory brokenTls;
    private final TlsRptRegistry tlsRptRegistry;

    private TlsDeliveryConfiguration configuration;
    private MailQueue queue;
    private BindingAssigner bindingAssigner;
    private DomainSplitter splitter;
    private DeliveryWorkers workers;
    private SessionPool sessionPool;
    private RetryStrategy retryStrategy;
    private Optional<TlsRptService> tlsRpt = Optional.empty();

    /** @param tlsRptRegistry where WebAdmin's /tls-reports finds the TLS reporting this mailet runs */
    @Inject
    public TlsRemoteDelivery(DNSService dnsService, MailQueueFactory<?> queueFactory, FileSystem fileSystem,
                             MetricFactory metricFactory, LoadedPolicies loadedPolicies, BrokenTlsMemory brokenTls,
                             TlsRptRegistry tlsRptRegistry) {
        this.dnsService = dnsService;
        this.queueFactory = queueFactory;
        this.fileSystem = fileSystem;
        this.metricFactory = metricFactory;
        this.loadedPolicies = loadedPolicies;
        this.brokenTls = brokenTls;
        this.tlsRptRegistry = tlsRptRegistry;
    }

    @Override
    public void init() throws MessagingException {
        configuration = TlsDeliveryConfiguration.from(getMailetConfig());
        TlsPolicy policy = PolicyLoader.load(fileSystem, configuration.policyFile());
        EffectivePolicy effectivePolicy = new EffectivePolicy(policy, configuration.tlsIfAvailableFallback());
        TlsProfiles tlsProfiles = tlsProfiles(policy);
        queue = queueFactory.createQueue(MailQueueName.of(configuration.outgoing()));
        splitter = new DomainSplitter(queue);
        bindingAssigner = new BindingAssigner(new BindingSelector(policy), configuration.bindingHeader(),
            bindingHeaderTrust());

        DeliveryMetrics metrics = new DeliveryMetrics(metricFactory);
        PublishedPolicies publishedPolicies = new PublishedPolicySetup(configuration, policy, dnsService, fileSystem).build();
        // the last start-up check: a bad configuration above is reported first, as before TLS reporting existed
        tlsRpt = new TlsRptSetup(getMailetConfig(), policy, fileSystem, dnsService, metricFactory).start();
        TlsRptRecorder recorder = tlsRpt.map(service -> TlsRptRecorder.into(service.store())).orElse(TlsRptRecorder.OFF);
        DeliveryPlanner planner = new DeliveryPlanner(new MxResolver(dnsService, configuration.smtpPort()), publishedPolicies,
            tlsProfiles, configuration.heloName(), brokenTls, Clock.systemUTC());
        sessionPool = new SessionPool(configuration.maxMessagesPerConnection(), configuration.connectionIdleTime(),
            configuration.maxConnectionsPerHost(), configuration.maxConcurrentDeliveries(), metrics);
        DomainDeliverer deliverer = new DomainDeliverer(
            new HostDelivery(configuration.connectionTimeoutMillis(), configuration.timeoutMillis(),
                configuration.dataTimeoutMillis(), configuration.chunking(), sessionPool), metrics);
        Bouncer bouncer = new Bouncer(getMailetContext(), configuration.bounceProcessor(), configuration.heloName());
        retryStrategy = RetryStrategies.start(configuration.retryStrategy(), queueFactory, queue,
            configuration.retrySchedule().delays());
        QueueDecision queueDecision = new QueueDecision(retryStrategy, configuration.retrySchedule(), bouncer,
            new SuccessForwarder(getMailetContext(), configuration.onSuccess()), metrics);
        QueuedMailDelivery delivery = new QueuedMailDelivery(effectivePolicy, planner, deliverer, queueDecision, splitter,
            metrics, recorder);
        workers = new DeliveryWorkers(queue, delivery, configuration.maxConcurrentDeliveries());
        workers.start();
        loadedPolicies.register(configuration.policyFile(), effectivePolicy, publishedPolicies, planner);
        tlsRpt.ifPresent(tlsRptRegistry::register);
        LOGGER.info("TlsRemoteDelivery started: queue={} policy={} maxConcurrentDeliveries={} maxConnectionsPerHost={}"
            + " smtpPort={} maxRetries={} delays={} chunking={}", configuration.outgoing(), configuration.policyFile(),
            configuration.maxConcurrentDeliveries(), configuration.maxConnectionsPerHost(), configuration.smtpPort(),
            configuration.retrySchedule().maxRetries(), configuration.retrySchedule().delays(), configuration.chunking());
    }

    private BindingHeaderTrust bindingHeaderTrust() throws MessagingException {
        String value = configuration.bindingHeaderFrom();
        try {
            BindingHeaderTrust trust = BindingHeaderTrust.parse(value, new JamesConf(fileSystem)::authorizedAddresses,
                dnsService);
            configuration.bindingHeader().ifPresent(header -> LOGGER.info("Binding header {} counts for: {}", header, trust));
            return trust;
        } catch (IllegalArgumentException e) {
            throw new MailetParameters(getMailetConfig()).invalid(BindingHeaderTrust.PARAMETER, value,
                BindingHeaderTrust.ALLOWED + " (" + e.getMessage() + ")");
        }
    }

    /** Builds every SSL context the policy can need now, so a bad CA file or key stops start-up. */
    private TlsProfiles tlsProfiles(TlsPolicy policy) throws MessagingException {
        TlsProfiles profiles = new TlsProfiles(new TlsClientContexts(fileSystem::getResource));
        for (ResolvedTlsPolicy resolution : policy.everyResolution()) {
            try {
                profiles.operator(resolution);
            } catch (TlsMaterialException e) {
                throw new MessagingException("Invalid TLS policy " + configuration.policyFile() + " (" + resolution
                    + "): " + e.getMessage(), e);
            }
        }
        LOGGER.info("Prepared {} TLS client context(s) for the policy", profiles.size());
        return profiles;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (!mail.getRecipients().isEmpty()) {
            QueueDecision.startAfresh(mail);
            bindingAssigner.assign(mail);
            splitter.enqueuePerDomain(mail);
        }
        mail.setState(Mail.GHOST);
    }

    @Override
    public void destroy() {
        if (workers != null) {
            // deliveries running finish and settle their mails; those still blocked after the grace lose their
            // sessions (aborted), which ends them as deferrals
            workers.stop(STOP_GRACE, sessionPool::abortBusy);
        }
        // after the workers: their last attempts are counted, then written by close()
        tlsRpt.ifPresent(service -> {
            tlsRptRegistry.unregister(service);
            service.close();
        });
        if (retryStrategy != null) {
            retryStrategy.close();
        }
        if (sessionPool != null) {
            sessionPool.close();
        }
        if (queue != null) {
            try {
                queue.close();
            } catch (IOException e) {
                LOGGER.debug("error closing queue", e);
            }
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return Stream.of(configuration.bounceProcessor(), configuration.onSuccess())
            .flatMap(Optional::stream)
            .map(ProcessingState::new)
            .collect(Collectors.toList());
    }

    @Override
    public String getMailetInfo() {
        return "TlsRemoteDelivery: outbound delivery with a per-destination TLS policy";
    }
}
