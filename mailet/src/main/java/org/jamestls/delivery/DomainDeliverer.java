package org.jamestls.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.AttemptLog;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.MxPlan;
import org.jamestls.delivery.session.HostDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link DeliveryPlan}: the MX plans in order, the next one whenever a connection fails before the
 * transaction (or the plan refuses the MX), and an MX plan's plaintext fallback when its handshake failed.
 * Decides nothing itself: what a failure counts as ({@link MxPlan#failureOf}, final under REQUIRETLS) and what the
 * broken-TLS memory learns ({@link MxPlan#afterAttempt}) are the plan's. One log line (and the attempt metrics) per
 * connection attempt, refusal or domain failure, the line showing what the connection met, and each of them handed
 * to the run's {@link TlsRptRecorder.Recording} (TLS reports).
 */
public class DomainDeliverer {
    private static final Logger LOGGER = LoggerFactory.getLogger(DomainDeliverer.class);

    private final HostDelivery hostDelivery;
    private final DeliveryMetrics metrics;

    public DomainDeliverer(HostDelivery hostDelivery, DeliveryMetrics metrics) {
        this.hostDelivery = hostDelivery;
        this.metrics = metrics;
    }

    public final DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryPlan plan) {
        return deliver(mail, recipients, plan, TlsRptRecorder.Recording.NONE);
    }

    /** Runs {@code plan}, telling {@code recording} about each attempt, refusal or domain failure. */
    public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryPlan plan,
                                        TlsRptRecorder.Recording recording) {
        DeliveryLabel label = plan.label();
        if (plan.domainFailure().isPresent()) {
            DeliveryPlan.DomainFailure failure = plan.domainFailure().get();
            // counted under its mechanism too, so the mechanism metrics add up to the attempt metrics
            count(label, failure.security(), failure.failure().kind().label());
            log(AttemptLog.domainFailure(label, failure.failure()));
            recording.domainFailed(failure.reportTerms(), failure.failure());
            return DomainDeliveryResult.allFailed(recipients, failure.failure(), List.of(), failure.security());
        }
        List<DeliveryFailure> failedAttempts = new ArrayList<>();
        for (MxPlan mx : plan.mxPlans()) {
            Optional<DeliveryFailure> refusal = mx.refusal();
            if (refusal.isPresent()) {
                // published-policy, requiretls, or internal-error when the TLS settings the MX needs are unusable
                count(label, mx.security(), mx.refusalOutcome());
                log(AttemptLog.notTried(label, mx.target(), mx.security(), refusal.get()));
                recording.refused(mx.target(), mx.reportTerms(), refusal.get());
                failedAttempts.add(refusal.get());
                continue;
            }
            HostAttemptResult result = attempt(mail, recipients, label, mx, recording);
            if (result.isTransacted()) {
                return DomainDeliveryResult.fromTransaction(result, failedAttempts, mx.security());
            }
            failedAttempts.add(mx.failureOf(result.connectionFailure().orElseThrow()));
        }
        MxPlan last = plan.mxPlans().get(plan.mxPlans().size() - 1);
        return DomainDeliveryResult.allFailed(recipients, DeliveryFailure.ofAllAttempts(failedAttempts), failedAttempts,
            last.security());
    }

    /** The MX plan's connection, then its plaintext fallback when the plan allows one after this result. */
    private HostAttemptResult attempt(Mail mail, Collection<MailAddress> recipients, DeliveryLabel label, MxPlan mx,
                                      TlsRptRecorder.Recording recording) {
        HostAttemptResult result = connect(mail, recipients, label, mx, mx.connection().orElseThrow(), false, recording);
        Optional<ConnectionPlan> fallback = mx.fallbackAfter(result);
        if (fallback.isPresent()) {
            result = connect(mail, recipients, label, mx, fallback.get(), true, recording);
        }
        return result;
    }

    private HostAttemptResult connect(Mail mail, Collection<MailAddress> recipients, DeliveryLabel label, MxPlan mx,
                                      ConnectionPlan connection, boolean plaintextFallback,
                                      TlsRptRecorder.Recording recording) {
        HostAttemptResult result = hostDelivery.attempt(mx.target(), connection, mail, recipients);
        mx.afterAttempt(result);
        String outcome = result.connectionFailure()
            .map(failure -> failure.kind().label())
            .orElse(result.tls().isPresent() ? "tls" : "plaintext");
        count(label, mx.security(), outcome);
        if (result.isAmbiguousAfterDot()) {
            metrics.ambiguousAfterDot();
        }
        if (result.replacedStaleSession()) {
            metrics.staleSessionRetry();
        }
        log(AttemptLog.attempt(label, mx.target(), mx.security(), plaintextFallback, result));
        recording.attempted(mx.target(), mx.reportTerms(), connection, result);
        return result;
    }

    private void count(DeliveryLabel label, MxSecurity security, String outcome) {
        metrics.attempt(label.level(), outcome);
        metrics.mechanism(security.mechanism().label(), outcome);
    }

    private static void log(String line) {
        LOGGER.info("{}", line);
    }
}
