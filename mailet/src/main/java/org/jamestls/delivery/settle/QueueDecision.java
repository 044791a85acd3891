package org.jamestls.delivery.settle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.AttemptLog;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.OutcomeAttributes;
import org.jamestls.retry.RetryStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles every recipient after a delivery run: delivered ones are done (and reported to onSuccess),
 * permanent failures bounce at once, temporary ones go back to the queue with the next delay, or
 * bounce once retries are exhausted. Only recipients that did not accept the mail are ever retried.
 */
public class QueueDecision {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueDecision.class);
    public static final AttributeName LAST_ERROR = AttributeName.of("jamestls.last-error");
    /** Enhanced status for a TLS policy failure once retries are exhausted (RFC 8689 / RFC 3463). */
    public static final String TLS_BOUNCE_STATUS = "5.7.10";
    /** The same for a mail sent with REQUIRETLS that no MX could take as it asked (RFC 8689 section 7). */
    public static final String REQUIRETLS_BOUNCE_STATUS = "5.7.30";

    private final RetryStrategy retryStrategy;
    private final RetrySchedule schedule;
    private final Bouncer bouncer;
    private final SuccessForwarder successForwarder;
    private final DeliveryMetrics metrics;

    /** Deferred mail waits where {@code retry} puts it (the queue's own delay, or delay queues: org.jamestls.retry). */
    public QueueDecision(RetryStrategy retry, RetrySchedule schedule, Bouncer bouncer, SuccessForwarder successForwarder,
                         DeliveryMetrics metrics) {
        this.retryStrategy = retry;
        this.schedule = schedule;
        this.bouncer = bouncer;
        this.successForwarder = successForwarder;
        this.metrics = metrics;
    }

    public void settle(Mail mail, DomainDeliveryResult result, DeliveryLabel label) throws MessagingException {
        List<Attribute> outcome = OutcomeAttributes.of(label, result);
        String level = label.level();
        if (!result.delivered().isEmpty()) {
            metrics.delivered(level, result.tls().isPresent() ? "tls" : "plaintext", result.delivered().size());
            successForwarder.forward(mail, result.delivered(), outcome);
        }
        bouncePermanentFailures(mail, result.permanentFailures(), outcome, level);
        if (result.temporaryFailures().isEmpty()) {
            return;
        }
        Collection<MailAddress> pending = result.temporaryFailures().keySet();
        String reasons = describe(result);
        int retries = RetryCount.of(mail);
        if (retries < schedule.maxRetries()) {
            metrics.deferred(level, lastFailure(result).kind().label());
            defer(mail, pending, retries + 1, reasons, label);
        } else {
            bounceExhausted(mail, result, outcome, retries, label);
        }
    }

    private void bouncePermanentFailures(Mail mail, Map<MailAddress, DeliveryFailure> failures, List<Attribute> outcome,
                                         String level) throws MessagingException {
        for (Map.Entry<DeliveryFailure, List<MailAddress>> entry : byFailure(failures).entrySet()) {
            DeliveryFailure failure = entry.getKey();
            metrics.bounced(level, failure.kind().label());
            bouncer.bounce(mail, entry.getValue(), failure.enhancedStatus() + " " + failure.detail(), outcome);
        }
    }

    /** Retries are over: one DSN per distinct last answer, each with the MX-level failures that led there. */
    private void bounceExhausted(Mail mail, DomainDeliveryResult result, List<Attribute> outcome, int retries,
                                 DeliveryLabel label) throws MessagingException {
        String level = label.level();
        for (Map.Entry<DeliveryFailure, List<MailAddress>> entry : byFailure(result.temporaryFailures()).entrySet()) {
            DeliveryFailure failure = entry.getKey();
            String status = exhaustedStatus(result, failure);
            metrics.bounced(level, failure.kind().label());
            bouncer.bounce(mail, entry.getValue(), status + " Delivery to " + label.domain() + " failed after "
                + retries + " retries (tls=" + level + " decided by " + label.tls().decidedBy()
                + ", tlsVerify=" + label.tlsVerify().value().configName() + "): "
                + describe(result.failedAttempts(), List.of(failure)), outcome);
        }
    }

    /**
     * The DSN status once retries are over: 5.7.30 when an MX did not meet the sender's REQUIRETLS (RFC 8689), 5.7.10
     * for any other TLS failure, else the permanent form of the last answer.
     */
    private static String exhaustedStatus(DomainDeliveryResult result, DeliveryFailure failure) {
        if (result.failedAttempts().stream().anyMatch(f -> f.kind().isRequireTls()) || failure.kind().isRequireTls()) {
            return REQUIRETLS_BOUNCE_STATUS;
        }
        boolean tlsAttemptFailed = result.failedAttempts().stream().anyMatch(f -> f.kind().isTls());
        return tlsAttemptFailed || failure.kind().isTls() ? TLS_BOUNCE_STATUS : "5" + failure.enhancedStatus().substring(1);
    }

    /** One DSN per distinct reason, so each recipient's Status matches what its server said. */
    private static Map<DeliveryFailure, List<MailAddress>> byFailure(Map<MailAddress, DeliveryFailure> failures) {
        return failures.entrySet().stream().collect(Collectors.groupingBy(Map.Entry::getValue,
            java.util.LinkedHashMap::new, Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
    }

    private void defer(Mail mail, Collection<MailAddress> pending, int retry, String reasons, DeliveryLabel label)
            throws MessagingException {
        Duration delay = schedule.delayBeforeRetry(retry);
        mail.setRecipients(new ArrayList<>(pending));
        RetryCount.set(mail, retry);
        mail.setAttribute(new Attribute(LAST_ERROR, AttributeValue.of(reasons)));
        mail.setState(Mail.ERROR);
        // DSNBounce reports this as Last-Attempt-Date
        mail.setLastUpdated(new Date());
        LOGGER.info("{}", AttemptLog.deferring(label, pending, retry, schedule.maxRetries(), delay, reasons));
        retryStrategy.defer(mail, delay);
    }

    private static DeliveryFailure lastFailure(DomainDeliveryResult result) {
        return result.temporaryFailures().values().iterator().next();
    }

    /** Each MX tried and what went wrong, then the distinct per-recipient answers. */
    private static String describe(DomainDeliveryResult result) {
        return describe(result.failedAttempts(), result.temporaryFailures().values());
    }

    private static String describe(Collection<DeliveryFailure> attempts, Collection<DeliveryFailure> answers) {
        Set<String> reasons = new LinkedHashSet<>();
        attempts.forEach(failure -> reasons.add(failure.toString()));
        answers.forEach(failure -> reasons.add(failure.toString()));
        return String.join("; ", reasons);
    }
}
