package org.jamestls.mailet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamestls.delivery.ConnectionPlan;
import org.jamestls.delivery.DeliveryContext;
import org.jamestls.delivery.DeliveryFailure;
import org.jamestls.delivery.FailureKind;
import org.jamestls.delivery.DeliveryMetrics;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.DomainDeliveryResult;
import org.jamestls.delivery.QueueDecision;
import org.jamestls.delivery.StartTlsMode;
import org.jamestls.policy.Binding;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientProfile;
import org.jamestls.tls.TlsClientSettings;
import org.jamestls.tls.TlsMaterialException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one mail taken from the queue: policy resolution for its domain and binding, one delivery
 * run, then the queue decision for whatever was not delivered.
 */
public class QueuedMailDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueuedMailDelivery.class);

    private final TlsPolicy policy;
    private final TlsDeliveryConfiguration configuration;
    private final TlsClientContexts tlsContexts;
    private final DomainDeliverer deliverer;
    private final QueueDecision queueDecision;
    private final DomainSplitter splitter;
    private final DeliveryMetrics metrics;

    public QueuedMailDelivery(TlsPolicy policy, TlsDeliveryConfiguration configuration, TlsClientContexts tlsContexts,
                              DomainDeliverer deliverer, QueueDecision queueDecision, DomainSplitter splitter,
                              DeliveryMetrics metrics) {
        this.policy = policy;
        this.configuration = configuration;
        this.tlsContexts = tlsContexts;
        this.deliverer = deliverer;
        this.queueDecision = queueDecision;
        this.splitter = splitter;
        this.metrics = metrics;
    }

    public void process(Mail mail) throws MessagingException {
        Map<Domain, Collection<MailAddress>> byDomain = DomainSplitter.byDomain(mail.getRecipients());
        if (byDomain.isEmpty()) {
            return;
        }
        if (byDomain.size() > 1) {
            // queued by someone else without the per-domain split: split now, deliver on the next pass
            splitter.enqueuePerDomain(mail);
            return;
        }
        Map.Entry<Domain, Collection<MailAddress>> only = byDomain.entrySet().iterator().next();
        TimeMetric timer = metrics.deliveryTimer();
        DeliveryContext context = contextFor(mail, only.getKey().asString());
        DomainDeliveryResult result = deliverSafely(mail, only.getValue(), context);
        queueDecision.settle(mail, result, context);
        timer.stopAndPublish();
    }

    /**
     * An unexpected exception must neither lose the mail nor spin it through the queue: it becomes a
     * temporary failure, deferred on the retry schedule and bounced when retries run out.
     */
    private DomainDeliveryResult deliverSafely(Mail mail, Collection<MailAddress> recipients, DeliveryContext context) {
        try {
            return deliverer.deliver(mail, recipients, context);
        } catch (RuntimeException e) {
            LOGGER.error("Unexpected error delivering mail {} to {}", mail.getName(), context.domain(), e);
            return DomainDeliveryResult.allFailed(recipients, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
                "internal error delivering to " + context.domain() + ": " + e), List.of());
        }
    }

    private TlsClientProfile tlsProfile(ResolvedTlsPolicy resolved) throws MessagingException {
        try {
            return tlsContexts.profile(TlsClientSettings.of(resolved));
        } catch (TlsMaterialException e) {
            // every profile was built at start-up, so this means a file changed since: retry later
            throw new MessagingException("TLS settings for " + resolved + " are unusable: " + e.getMessage(), e);
        }
    }

    private DeliveryContext contextFor(Mail mail, String domain) throws MessagingException {
        Optional<Binding> binding = AttributeUtils.getValueAndCastFromMail(mail, BindingAssigner.SELECTED_BINDING, String.class)
            .flatMap(policy::binding);
        ResolvedTlsPolicy resolved = policy.resolve(domain, binding);
        boolean fallback = resolved.tlsIfAvailableFallback()
            .map(decided -> decided.value())
            .orElse(configuration.tlsIfAvailableFallback());
        ConnectionPlan plan = new ConnectionPlan(
            binding.flatMap(Binding::bindAddress),
            binding.flatMap(Binding::heloName).orElse(configuration.heloName()),
            StartTlsMode.forLevel(resolved.tls().value()),
            tlsProfile(resolved));
        String bindingLabel = binding.map(Binding::name).orElse("none");
        return new DeliveryContext(mail.getName(), domain, bindingLabel, resolved, fallback, plan);
    }
}
