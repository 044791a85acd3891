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
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.TlsRptRecorder;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.policy.Binding;
import org.jamestls.policy.EffectivePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one mail taken from the queue: the operator's options for its domain and binding, the planner's plan,
 * one run of it, then the queue decision for whatever was not delivered.
 */
public class QueuedMailDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueuedMailDelivery.class);

    private final EffectivePolicy policy;
    private final DeliveryPlanner planner;
    private final DomainDeliverer deliverer;
    private final QueueDecision queueDecision;
    private final DomainSplitter splitter;
    private final DeliveryMetrics metrics;
    private final TlsRptRecorder tlsRpt;

    public QueuedMailDelivery(EffectivePolicy policy, DeliveryPlanner planner, DomainDeliverer deliverer,
                              QueueDecision queueDecision, DomainSplitter splitter, DeliveryMetrics metrics) {
        this(policy, planner, deliverer, queueDecision, splitter, metrics, TlsRptRecorder.OFF);
    }

    /** @param tlsRpt where attempts to domains with tlsRpt on are counted for TLS reports */
    public QueuedMailDelivery(EffectivePolicy policy, DeliveryPlanner planner, DomainDeliverer deliverer,
                              QueueDecision queueDecision, DomainSplitter splitter, DeliveryMetrics metrics,
                              TlsRptRecorder tlsRpt) {
        this.tlsRpt = tlsRpt;
        this.policy = policy;
        this.planner = planner;
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
        DeliveryRequest request = requestFor(mail, only.getKey().asString());
        DomainDeliveryResult result = planAndDeliverSafely(mail, only.getValue(), request);
        queueDecision.settle(mail, result, request.label());
        timer.stopAndPublish();
    }

    /**
     * An unexpected exception must neither lose the mail nor spin it through the queue: it becomes a
     * temporary failure, deferred on the retry schedule and bounced when retries run out.
     */
    private DomainDeliveryResult planAndDeliverSafely(Mail mail, Collection<MailAddress> recipients,
                                                      DeliveryRequest request) {
        try {
            DeliveryPlan plan = planner.plan(request);
            return deliverer.deliver(mail, recipients, plan, tlsRpt.forDelivery(mail, request));
        } catch (RuntimeException e) {
            LOGGER.error("Unexpected error delivering mail {} to {}", mail.getName(), request.domain(), e);
            return DomainDeliveryResult.allFailed(recipients, new DeliveryFailure(FailureKind.INTERNAL, "4.3.0",
                "internal error delivering to " + request.domain() + ": " + e), List.of(),
                MxSecurity.operatorOnly(request.options().policy().tls().value()));
        }
    }

    private DeliveryRequest requestFor(Mail mail, String domain) {
        Optional<Binding> binding = AttributeUtils.getValueAndCastFromMail(mail, BindingAssigner.SELECTED_BINDING, String.class)
            .flatMap(policy.policy()::binding);
        return new DeliveryRequest(mail.getName(), domain, binding, policy.resolve(domain, binding));
    }
}
