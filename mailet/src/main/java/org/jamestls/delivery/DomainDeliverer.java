package org.jamestls.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.policy.TlsLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one mail to the recipients of one domain: MX addresses in preference order, the next
 * one whenever a connection fails before the transaction, and the ifavailable fallback when the
 * policy allows it. One log line per connection attempt.
 */
public class DomainDeliverer {
    private static final Logger LOGGER = LoggerFactory.getLogger(DomainDeliverer.class);

    private final MxResolver mxResolver;
    private final HostDelivery hostDelivery;
    private final DeliveryMetrics metrics;

    public DomainDeliverer(MxResolver mxResolver, HostDelivery hostDelivery, DeliveryMetrics metrics) {
        this.mxResolver = mxResolver;
        this.hostDelivery = hostDelivery;
        this.metrics = metrics;
    }

    public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryContext context) {
        List<MxTarget> targets;
        try {
            targets = mxResolver.resolve(context.domain());
        } catch (MxResolver.ResolutionFailure e) {
            logDnsFailure(context, e.failure());
            return DomainDeliveryResult.allFailed(recipients, e.failure(), List.of());
        }
        List<DeliveryFailure> failedAttempts = new ArrayList<>();
        for (MxTarget target : targets) {
            HostAttemptResult result = attemptWithPolicy(mail, recipients, context, target);
            if (result.isTransacted()) {
                return DomainDeliveryResult.fromTransaction(result, failedAttempts);
            }
            failedAttempts.add(result.connectionFailure().orElseThrow());
        }
        DeliveryFailure last = failedAttempts.get(failedAttempts.size() - 1);
        return DomainDeliveryResult.allFailed(recipients, last, failedAttempts);
    }

    private HostAttemptResult attemptWithPolicy(Mail mail, Collection<MailAddress> recipients,
                                                DeliveryContext context, MxTarget target) {
        HostAttemptResult result = hostDelivery.attempt(target, context.plan(), mail, recipients);
        logAttempt(context, target, context.plan().startTlsMode(), result);
        if (shouldFallBackToPlaintext(context, result)) {
            // Momentum 4.1+ tls_ifavailable_fallback: same MX, at once, without STARTTLS
            ConnectionPlan plaintext = context.plan().withStartTlsMode(StartTlsMode.NEVER);
            result = hostDelivery.attempt(target, plaintext, mail, recipients);
            logAttempt(context, target, StartTlsMode.NEVER, result);
        }
        return result;
    }

    private static boolean shouldFallBackToPlaintext(DeliveryContext context, HostAttemptResult result) {
        return context.policy().tls().value() == TlsLevel.IFAVAILABLE
            && context.ifAvailableFallback()
            && result.connectionFailure()
                .map(f -> f.kind() == FailureKind.TLS_NEGOTIATION || f.kind() == FailureKind.TLS_VERIFICATION)
                .orElse(false);
    }

    private void logAttempt(DeliveryContext context, MxTarget target, StartTlsMode mode, HostAttemptResult result) {
        metrics.attempt(context.policy().tls().value().configName(), result.connectionFailure()
            .map(failure -> failure.kind().label())
            .orElse(result.tls().isPresent() ? "tls" : "plaintext"));
        String fallback = mode == StartTlsMode.NEVER && context.plan().startTlsMode() != StartTlsMode.NEVER
            ? " (plaintext fallback)" : "";
        LOGGER.info("Delivery attempt: mail={} domain={} mx={} binding={} tls={} decidedBy=[{}]{} outcome={}",
            context.mailName(), context.domain(), target, context.bindingLabel(),
            context.policy().tls().value().configName(), context.policy().tls().decidedBy(), fallback,
            result.describeOutcome());
    }

    private void logDnsFailure(DeliveryContext context, DeliveryFailure failure) {
        metrics.attempt(context.policy().tls().value().configName(), failure.kind().label());
        LOGGER.info("Delivery attempt: mail={} domain={} mx=none binding={} tls={} decidedBy=[{}] outcome=failed: {}",
            context.mailName(), context.domain(), context.bindingLabel(),
            context.policy().tls().value().configName(), context.policy().tls().decidedBy(), failure);
    }
}
