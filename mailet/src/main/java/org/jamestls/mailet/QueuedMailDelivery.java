package org.jamestls.mailet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.TlsRptRecorder;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.SenderTls;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.policy.Binding;
import org.jamestls.policy.Decided;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.ScopeRef;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsVerify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one mail taken from the queue: the operator's options for its domain and binding, what its sender asked
 * of TLS (REQUIRETLS, TLS-Required: No), the planner's plan, one run of it, then the queue decision for whatever was
 * not delivered.
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

    /**
     * Delivers the mail to its one domain and settles the outcome. Every failure, {@link Error}s included, ends on the
     * retry schedule or in a bounce; this only throws when the queue refuses to take the mail back, and then the caller
     * hands the queue item back (what was settled is kept, see {@link QueueDecision}).
     */
    public void process(Mail mail) throws MailQueue.MailQueueException {
        if (queueDecision.restoreHandedBack(mail)) {
            return;
        }
        Map<Domain, Collection<MailAddress>> byDomain = DomainSplitter.byDomain(mail.getRecipients());
        if (byDomain.isEmpty()) {
            queueDecision.handOverPending(mail);
            return;
        }
        if (byDomain.size() > 1) {
            // queued by someone else without the per-domain split: split now, deliver on the next pass
            split(mail);
            return;
        }
        Map.Entry<Domain, Collection<MailAddress>> only = byDomain.entrySet().iterator().next();
        TimeMetric timer = metrics.deliveryTimer();
        Delivered delivered = planAndDeliverSafely(mail, only.getKey().asString(), only.getValue());
        try {
            queueDecision.settle(mail, delivered.result, delivered.label);
        } catch (MailQueue.MailQueueException e) {
            throw e;
        } catch (Throwable e) {
            // a bug in settling: the mail has its outcome recorded as far as it got; retry what is left, on the schedule
            LOGGER.error("Unexpected error settling mail {} for {}", mail.getName(), only.getKey().asString(), e);
            queueDecision.deferAsItIs(mail, e);
        }
        timer.stopAndPublish();
    }

    private void split(Mail mail) throws MailQueue.MailQueueException {
        try {
            splitter.enqueuePerDomain(mail);
        } catch (Throwable e) {
            // the mail now holds only the recipients no queued copy holds: retry those, never the others
            LOGGER.error("Could not split mail {} over its domains; recipients not queued yet: {}", mail.getName(),
                mail.getRecipients(), e);
            queueDecision.deferAsItIs(mail, e);
        }
    }

    /** A run's result and how it is named; a failure of any kind becomes a temporary internal failure. */
    private static final class Delivered {
        final DomainDeliveryResult result;
        final DeliveryLabel label;

        Delivered(DomainDeliveryResult result, DeliveryLabel label) {
            this.result = result;
            this.label = label;
        }
    }

    /**
     * An unexpected exception or error (the policy resolution, the plan, the connection; an OutOfMemoryError or a
     * StackOverflowError included) must neither lose the mail nor spin it through the queue: it becomes a temporary
     * failure, deferred on the retry schedule and bounced when retries run out.
     */
    private Delivered planAndDeliverSafely(Mail mail, String domain, Collection<MailAddress> recipients) {
        DeliveryLabel label = null;
        try {
            DeliveryRequest request = requestFor(mail, domain);
            label = request.label();
            DeliveryPlan plan = planner.plan(request);
            return new Delivered(deliverer.deliver(mail, recipients, plan, tlsRpt.forDelivery(mail, request)), label);
        } catch (Throwable e) {
            LOGGER.error("Unexpected error delivering mail {} to {}", mail.getName(), domain, e);
            DeliveryLabel named = label != null ? label : unresolvedLabel(mail, domain);
            return new Delivered(DomainDeliveryResult.allFailed(recipients, new DeliveryFailure(FailureKind.INTERNAL,
                "4.3.0", "internal error delivering to " + domain + ": " + e), List.of(),
                MxSecurity.operatorOnly(named.tls().value())), named);
        }
    }

    /** When even the operator's options could not be resolved: the default scope names the run. */
    private static DeliveryLabel unresolvedLabel(Mail mail, String domain) {
        return new DeliveryLabel(mail.getName(), domain, "none", new Decided<>(TlsLevel.NO, ScopeRef.DEFAULT),
            new Decided<>(TlsVerify.NO, ScopeRef.DEFAULT));
    }

    private DeliveryRequest requestFor(Mail mail, String domain) {
        Optional<Binding> binding = AttributeUtils.getValueAndCastFromMail(mail, BindingAssigner.SELECTED_BINDING, String.class)
            .flatMap(policy.policy()::binding);
        return new DeliveryRequest(mail.getName(), domain, binding, policy.resolve(domain, binding))
            .withSenderTls(SenderTls.of(mail));
    }
}
