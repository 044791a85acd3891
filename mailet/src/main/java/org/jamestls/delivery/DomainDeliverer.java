package org.jamestls.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

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
    private final PublishedPolicies publishedPolicies;

    public DomainDeliverer(MxResolver mxResolver, HostDelivery hostDelivery, DeliveryMetrics metrics,
                           PublishedPolicies publishedPolicies) {
        this.mxResolver = mxResolver;
        this.hostDelivery = hostDelivery;
        this.metrics = metrics;
        this.publishedPolicies = publishedPolicies;
    }

    public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryContext context) {
        List<MxTarget> targets;
        try {
            targets = mxResolver.resolve(context.domain());
        } catch (MxResolver.ResolutionFailure e) {
            logDnsFailure(context, e.failure());
            return DomainDeliveryResult.allFailed(recipients, e.failure(), List.of());
        }
        DomainPublishedPolicy published = publishedPolicies.forDomain(context.domain(), context.policy());
        Optional<DeliveryFailure> domainFailure = published.domainFailure();
        if (domainFailure.isPresent()) {
            logDnsFailure(context, domainFailure.get());
            return DomainDeliveryResult.allFailed(recipients, domainFailure.get(), List.of())
                .securedBy(MxSecurity.Mechanism.DANE, published.describe());
        }
        List<DeliveryFailure> failedAttempts = new ArrayList<>();
        MxSecurity lastSecurity = null;
        for (MxTarget target : targets) {
            MxSecurity security = published.forMx(target);
            lastSecurity = security;
            if (security.refusal().isPresent()) {
                logRefusal(context, target, security);
                failedAttempts.add(security.refusal().get());
                continue;
            }
            HostAttemptResult result = attemptWithPolicy(mail, recipients, context, target, security);
            if (result.isTransacted()) {
                return DomainDeliveryResult.fromTransaction(result, failedAttempts)
                    .securedBy(security.mechanism(), security.describe());
            }
            failedAttempts.add(result.connectionFailure().orElseThrow());
        }
        DeliveryFailure last = failedAttempts.get(failedAttempts.size() - 1);
        return DomainDeliveryResult.allFailed(recipients, last, failedAttempts)
            .securedBy(lastSecurity.mechanism(), lastSecurity.describe());
    }

    private HostAttemptResult attemptWithPolicy(Mail mail, Collection<MailAddress> recipients,
                                                DeliveryContext context, MxTarget target, MxSecurity security) {
        ConnectionPlan plan = security.applyTo(context.plan());
        HostAttemptResult result = hostDelivery.attempt(target, plan, mail, recipients);
        logAttempt(context, target, plan.startTlsMode(), security, result);
        if (security.allowsPlaintextFallback() && shouldFallBackToPlaintext(context, result)) {
            // Momentum 4.1+ tls_ifavailable_fallback: same MX, at once, without STARTTLS
            ConnectionPlan plaintext = plan.withStartTlsMode(StartTlsMode.NEVER);
            result = hostDelivery.attempt(target, plaintext, mail, recipients);
            logAttempt(context, target, StartTlsMode.NEVER, security, result);
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

    private void logAttempt(DeliveryContext context, MxTarget target, StartTlsMode mode, MxSecurity security,
                            HostAttemptResult result) {
        String outcome = result.connectionFailure()
            .map(failure -> failure.kind().label())
            .orElse(result.tls().isPresent() ? "tls" : "plaintext");
        metrics.attempt(context.policy().tls().value().configName(), outcome);
        metrics.mechanism(security.mechanism().label(), outcome);
        String fallback = mode == StartTlsMode.NEVER && context.plan().startTlsMode() != StartTlsMode.NEVER
            ? " (plaintext fallback)" : "";
        // the fields of the spine's format first (scripts match them), then what published policies add
        LOGGER.info("Delivery attempt: mail={} domain={} mx={} binding={} tls={} decidedBy=[{}]{} outcome={} mechanism={} "
                + "effectiveTls={} published=[{}]",
            context.mailName(), context.domain(), target, context.bindingLabel(),
            context.policy().tls().value().configName(), context.policy().tls().decidedBy(), fallback,
            result.describeOutcome(), security.mechanism().label(),
            security.effectiveLevel(context.policy().tls().value()).configName(), security.describe());
    }

    private void logRefusal(DeliveryContext context, MxTarget target, MxSecurity security) {
        metrics.attempt(context.policy().tls().value().configName(), FailureKind.PUBLISHED_POLICY.label());
        metrics.mechanism(security.mechanism().label(), FailureKind.PUBLISHED_POLICY.label());
        LOGGER.info("Delivery attempt: mail={} domain={} mx={} binding={} tls={} decidedBy=[{}] outcome=not tried: {} "
                + "mechanism={} effectiveTls=required",
            context.mailName(), context.domain(), target, context.bindingLabel(),
            context.policy().tls().value().configName(), context.policy().tls().decidedBy(),
            security.refusal().orElseThrow(), security.mechanism().label());
    }

    private void logDnsFailure(DeliveryContext context, DeliveryFailure failure) {
        metrics.attempt(context.policy().tls().value().configName(), failure.kind().label());
        LOGGER.info("Delivery attempt: mail={} domain={} mx=none binding={} tls={} decidedBy=[{}] outcome=failed: {}",
            context.mailName(), context.domain(), context.bindingLabel(),
            context.policy().tls().value().configName(), context.policy().tls().decidedBy(), failure);
    }
}
