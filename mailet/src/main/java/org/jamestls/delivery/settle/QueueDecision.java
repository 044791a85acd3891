package org.jamestls.delivery.settle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
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
 *
 * <p>Nothing is lost or done twice when a step fails. Each recipient's outcome is recorded on the mail first (its
 * recipients become the ones still to deliver, the copies still owed are written as {@link PendingCopy}s), and only
 * then are the copies handed over and the mail re-enqueued. A copy that cannot be handed over stays on the mail,
 * which goes back to the queue on the retry schedule to hand it over then (never an immediate retry of the whole
 * delivery). Settling the same result twice does it once ({@link #SETTLED_RUN}, {@link #SETTLE_FINISHED}). Only a
 * queue that refuses the re-enqueue makes {@link #settle} throw; the caller hands the item back to the queue, and the
 * {@link HandBackLedger} keeps what was recorded for when it comes back.
 */
public class QueueDecision {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueDecision.class);
    public static final AttributeName LAST_ERROR = AttributeName.of("jamestls.last-error");
    /** The {@link DomainDeliveryResult#runId()} last recorded on the mail. */
    public static final AttributeName SETTLED_RUN = AttributeName.of("jamestls.settled-run");
    /** The run whose copies were all handed over and whose re-enqueue (if any) the queue took. */
    static final AttributeName SETTLE_FINISHED = AttributeName.of("jamestls.settle-finished");
    /** Enhanced status for a TLS policy failure once retries are exhausted (RFC 8689 / RFC 3463). */
    public static final String TLS_BOUNCE_STATUS = "5.7.10";
    /** The same for a mail sent with REQUIRETLS that no MX could take as it asked (RFC 8689 section 7). */
    public static final String REQUIRETLS_BOUNCE_STATUS = "5.7.30";

    private final RetryStrategy retryStrategy;
    private final RetrySchedule schedule;
    private final Bouncer bouncer;
    private final SuccessForwarder successForwarder;
    private final DeliveryMetrics metrics;
    private final HandBackLedger ledger;

    /** Deferred mail waits where {@code retry} puts it (the queue's own delay, or delay queues: org.jamestls.retry). */
    public QueueDecision(RetryStrategy retry, RetrySchedule schedule, Bouncer bouncer, SuccessForwarder successForwarder,
                         DeliveryMetrics metrics) {
        this(retry, schedule, bouncer, successForwarder, metrics, new HandBackLedger(Clock.systemUTC()));
    }

    public QueueDecision(RetryStrategy retry, RetrySchedule schedule, Bouncer bouncer, SuccessForwarder successForwarder,
                         DeliveryMetrics metrics, HandBackLedger ledger) {
        this.retryStrategy = retry;
        this.schedule = schedule;
        this.bouncer = bouncer;
        this.successForwarder = successForwarder;
        this.metrics = metrics;
        this.ledger = ledger;
    }

    /**
     * Records the run's outcome on {@code mail}, hands over the copies it owes, and re-enqueues it when recipients or
     * copies remain.
     *
     * @throws MailQueue.MailQueueException only when the queue refused the re-enqueue; the mail is recorded as settled
     *     so far in the ledger, and the caller must hand the queue item back
     */
    public void settle(Mail mail, DomainDeliveryResult result, DeliveryLabel label) throws MailQueue.MailQueueException {
        String reasons = describe(result);
        if (!isRun(mail, SETTLED_RUN, result)) {
            record(mail, result, label, reasons);
        } else if (isRun(mail, SETTLE_FINISHED, result)) {
            return;
        }
        finish(mail, Optional.of(label), reasons);
        mail.setAttribute(new Attribute(SETTLE_FINISHED, AttributeValue.of(result.runId())));
    }

    /**
     * A mail entering the mailet (from James's spool) starts a delivery of its own: no copies owed, no run settled, retry
     * count 0. It may carry an earlier delivery's state: a DSN is a copy of the bounced mail (DSNBounce keeps its
     * attributes), and would otherwise hand over the original's pending copies again and start at its retry count.
     */
    public static void startAfresh(Mail mail) {
        forgetSettling(mail);
        mail.removeAttribute(RetryCount.DELIVERY_RETRY_COUNT);
        mail.removeAttribute(LAST_ERROR);
    }

    /** The settle step's own bookkeeping, which a copy handed to a processor must not carry. */
    static void forgetSettling(Mail copy) {
        copy.removeAttribute(PendingCopy.PENDING);
        copy.removeAttribute(SETTLED_RUN);
        copy.removeAttribute(SETTLE_FINISHED);
    }

    /** A mail without recipients to deliver: hands over the copies an earlier pass could not. */
    public void handOverPending(Mail mail) throws MailQueue.MailQueueException {
        finish(mail, Optional.empty(), "");
    }

    /**
     * Puts back what was recorded for a mail handed back to its queue; when it is back before its due time it goes
     * back to the queue for the rest of its delay (returns true: nothing else to do with it now).
     */
    public boolean restoreHandedBack(Mail mail) throws MailQueue.MailQueueException {
        Optional<Instant> due = ledger.restore(mail);
        if (due.isEmpty()) {
            return false;
        }
        Duration left = Duration.between(ledger.now(), due.get());
        LOGGER.info("Mail {} came back after its queue refused to re-enqueue it; restored recipients={} (due in {}s)",
            mail.getName(), mail.getRecipients(), Math.max(0, left.toSeconds()));
        if (left.isNegative() || left.isZero()) {
            return false;
        }
        requeue(mail, left);
        return true;
    }

    /**
     * Something failed outside the settle steps (an Error while delivering, a split that could not finish): the mail,
     * as it stands, goes back to the queue on the retry schedule, or to the ledger when the queue refuses it.
     */
    public void deferAsItIs(Mail mail, Throwable cause) throws MailQueue.MailQueueException {
        Duration delay = schedule.delayBeforeRetry(RetryCount.of(mail) + 1);
        LOGGER.warn("Mail {} goes back to the queue as it is (recipients={}) in {}s after: {}", mail.getName(),
            mail.getRecipients(), delay.toSeconds(), cause.toString());
        requeue(mail, delay);
    }

    /** Hands the mail back to the ledger as it is, due now (e.g. after a split that could not finish). */
    public void recordHandBack(Mail mail) {
        ledger.remember(mail, ledger.now());
    }

    private static boolean isRun(Mail mail, AttributeName marker, DomainDeliveryResult result) {
        return AttributeUtils.getValueAndCastFromMail(mail, marker, String.class).map(result.runId()::equals).orElse(false);
    }

    /** Every recipient's outcome, on the mail, before anything that can fail: first of all who is still to deliver. */
    private void record(Mail mail, DomainDeliveryResult result, DeliveryLabel label, String reasons) {
        int retries = RetryCount.of(mail);
        boolean retry = !result.temporaryFailures().isEmpty() && retries < schedule.maxRetries();
        Collection<MailAddress> stillToDeliver = retry ? result.temporaryFailures().keySet() : List.of();
        mail.setRecipients(new ArrayList<>(stillToDeliver));
        mail.setAttribute(new Attribute(SETTLED_RUN, AttributeValue.of(result.runId())));

        List<Attribute> outcome = OutcomeAttributes.of(label, result);
        String level = label.level();
        List<PendingCopy> copies = new ArrayList<>(PendingCopy.readFrom(mail));
        if (!result.delivered().isEmpty()) {
            metrics.delivered(level, result.tls().isPresent() ? "tls" : "plaintext", result.delivered().size());
            if (successForwarder.isConfigured()) {
                copies.add(PendingCopy.onSuccess(result.delivered(), outcome));
            }
        }
        for (Map.Entry<DeliveryFailure, List<MailAddress>> entry : byFailure(result.permanentFailures()).entrySet()) {
            DeliveryFailure failure = entry.getKey();
            metrics.bounced(level, failure.kind().label());
            copies.add(PendingCopy.bounce(entry.getValue(), failure.enhancedStatus() + " " + failure.detail(), outcome));
        }
        if (retry) {
            metrics.deferred(level, lastFailure(result).kind().label());
            RetryCount.set(mail, retries + 1);
            mail.setAttribute(new Attribute(LAST_ERROR, AttributeValue.of(reasons)));
            mail.setState(Mail.ERROR);
            // DSNBounce reports this as Last-Attempt-Date
            mail.setLastUpdated(new Date());
        } else if (!result.temporaryFailures().isEmpty()) {
            copies.addAll(exhaustedBounces(result, outcome, retries, label));
        }
        PendingCopy.writeTo(mail, copies);
    }

    /** Retries are over: one DSN per distinct last answer, each with the MX-level failures that led there. */
    private List<PendingCopy> exhaustedBounces(DomainDeliveryResult result, List<Attribute> outcome, int retries,
                                               DeliveryLabel label) {
        String level = label.level();
        List<PendingCopy> bounces = new ArrayList<>();
        for (Map.Entry<DeliveryFailure, List<MailAddress>> entry : byFailure(result.temporaryFailures()).entrySet()) {
            DeliveryFailure failure = entry.getKey();
            String status = exhaustedStatus(result, failure);
            metrics.bounced(level, failure.kind().label());
            bounces.add(PendingCopy.bounce(entry.getValue(), status + " Delivery to " + label.domain() + " failed after "
                + retries + " retries (tls=" + level + " decided by " + label.tls().decidedBy()
                + ", tlsVerify=" + label.tlsVerify().value().configName() + "): "
                + describe(result.failedAttempts(), List.of(failure)), outcome));
        }
        return bounces;
    }

    /**
     * Hands over every copy the mail owes, each recorded as done as soon as it is, then re-enqueues the mail when
     * recipients or copies remain: with the recipients' next delay, or for copies alone with the delay of their
     * failures so far. A copy that failed more often than {@code maxRetries} is given up (logged).
     */
    private void finish(Mail mail, Optional<DeliveryLabel> label, String reasons) throws MailQueue.MailQueueException {
        List<PendingCopy> owed = new ArrayList<>(PendingCopy.readFrom(mail));
        List<PendingCopy> kept = new ArrayList<>();
        while (!owed.isEmpty()) {
            PendingCopy copy = owed.remove(0);
            try {
                copy.handOver(mail, successForwarder, bouncer);
            } catch (Throwable e) {
                PendingCopy failed = copy.failedOnce();
                if (failed.failures() > schedule.maxRetries()) {
                    LOGGER.error("Giving up on mail={}: its {} copy could not be handed over {} times (last: {})",
                        mail.getName(), failed, failed.failures(), e.toString(), e);
                } else {
                    LOGGER.warn("Mail={}: the {} copy could not be handed over ({}); trying again on the retry schedule",
                        mail.getName(), failed, e.toString(), e);
                    kept.add(failed);
                }
            }
            List<PendingCopy> stillOwed = new ArrayList<>(kept);
            stillOwed.addAll(owed);
            PendingCopy.writeTo(mail, stillOwed);
        }
        if (mail.getRecipients().isEmpty() && kept.isEmpty()) {
            return;
        }
        if (mail.getRecipients().isEmpty()) {
            Duration delay = schedule.delayBeforeRetry(kept.stream().mapToInt(PendingCopy::failures).max().orElse(1));
            LOGGER.info("{}", AttemptLog.copiesOwed(mail.getName(), kept.toString(), delay));
            requeue(mail, delay);
            return;
        }
        int retry = RetryCount.of(mail);
        Duration delay = schedule.delayBeforeRetry(retry);
        String why = reasons + (kept.isEmpty() ? "" : "; copies not handed over yet: " + kept);
        LOGGER.info("{}", label.map(l -> AttemptLog.deferring(l, mail.getRecipients(), retry, schedule.maxRetries(), delay,
            why)).orElse("Deferring mail=" + mail.getName() + " recipients=" + mail.getRecipients() + ": " + why));
        requeue(mail, delay);
    }

    private void requeue(Mail mail, Duration delay) throws MailQueue.MailQueueException {
        try {
            retryStrategy.defer(mail, delay);
        } catch (Throwable e) {
            ledger.remember(mail, ledger.now().plus(delay));
            LOGGER.error("The queue refused mail {} (recipients={}, copies owed={}); it is handed back to the queue, "
                + "and what was settled is remembered until it comes back", mail.getName(), mail.getRecipients(),
                PendingCopy.readFrom(mail), e);
            throw e instanceof MailQueue.MailQueueException ? (MailQueue.MailQueueException) e
                : new MailQueue.MailQueueException("re-enqueue of " + mail.getName() + " failed: " + e, asException(e));
        }
    }

    private static Exception asException(Throwable e) {
        return e instanceof Exception ? (Exception) e : new RuntimeException(e);
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
