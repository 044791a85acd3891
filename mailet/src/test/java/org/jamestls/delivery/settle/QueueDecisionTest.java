package org.jamestls.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryLabel;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.OutcomeAttributes;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.policy.Binding;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.retry.RetryStrategyKind;
import org.jamestls.testing.HandOverFaults;
import org.jamestls.testing.RecordingMailQueue;
import org.jamestls.testing.RecordingMailetContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which recipients are retried, when, and what the DSN says once retries run out. */
class QueueDecisionTest {
    private static final MxTarget MX1 = new MxTarget("mx1.dest.test", InetAddress.getLoopbackAddress(), 25);
    private static final DeliveryFailure STARTTLS_MISSING = new DeliveryFailure(FailureKind.STARTTLS_NOT_OFFERED, "4.7.6",
        "TLS required but mx1.dest.test [127.0.0.1]:25 does not offer STARTTLS");
    private static final DeliveryFailure REFUSED = new DeliveryFailure(FailureKind.CONNECTION, "4.4.1",
        "cannot connect to mx2.dest.test [127.0.0.2]:25: connection refused");

    private final RecordingMailQueue queue = new RecordingMailQueue();
    private final RecordingBouncer bouncer = new RecordingBouncer();
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();
    private static final MxSecurity POLICY_ONLY = MxSecurity.operatorOnly(TlsLevel.REQUIRED);

    private final QueueDecision decision = new QueueDecision(RetryStrategy.queueDelay(queue),
        RetrySchedule.of(List.of(Duration.ofMinutes(5), Duration.ofHours(1)), 3), bouncer,
        new SuccessForwarder(null, Optional.empty()), new DeliveryMetrics(metricFactory));

    @Test
    void temporaryFailureIsDeferredWithTheNextDelayAndAnIncrementedRetryCount() throws Exception {
        Mail mail = mail("a@dest.test");

        decision.settle(mail, allFailed(mail, STARTTLS_MISSING, STARTTLS_MISSING), label());

        assertThat(queue.enqueued).singleElement().satisfies(entry -> {
            assertThat(entry.delay).isEqualTo(Duration.ofMinutes(5));
            assertThat(entry.retryCount).isEqualTo(1);
        });
        assertThat(bouncer.bounces).isEmpty();
        assertThat(metricFactory.countFor("jamestls_deferred_required_starttls_missing")).isEqualTo(1);
    }

    @Test
    void laterRetriesUseTheLastDelayOnceTheListIsExhausted() throws Exception {
        Mail mail = mail("a@dest.test");
        RetryCount.set(mail, 2);

        decision.settle(mail, allFailed(mail, REFUSED, REFUSED), label());

        assertThat(queue.enqueued).singleElement().satisfies(entry -> {
            assertThat(entry.delay).isEqualTo(Duration.ofHours(1));
            assertThat(entry.retryCount).isEqualTo(3);
        });
    }

    @Test
    void exhaustedTlsFailureBouncesWith5710NamingTheMxAndTheProblem() throws Exception {
        Mail mail = mail("a@dest.test");
        RetryCount.set(mail, 3);

        decision.settle(mail, allFailed(mail, STARTTLS_MISSING, REFUSED, STARTTLS_MISSING), label());

        assertThat(queue.enqueued).isEmpty();
        assertThat(bouncer.bounces).singleElement().satisfies(bounce -> {
            assertThat(bounce.status).startsWith("5.7.10 ");
            assertThat(bounce.status).contains("mx1.dest.test [127.0.0.1]", "does not offer STARTTLS", "4.7.6",
                "mx2.dest.test", "connection refused", "tls=required");
            assertThat(bounce.recipients).extracting(MailAddress::asString).containsExactly("a@dest.test");
            assertThat(bounce.attributes).contains(
                attribute(OutcomeAttributes.TLS_LEVEL, "required"),
                attribute(OutcomeAttributes.TLS_DECIDED_BY, "global"),
                attribute(OutcomeAttributes.CHANNEL, "none"),
                attribute(OutcomeAttributes.FAILURE, "starttls-missing: " + STARTTLS_MISSING));
        });
        assertThat(metricFactory.countFor("jamestls_bounced_required_starttls_missing")).isEqualTo(1);
    }

    private static Attribute attribute(AttributeName name, String value) {
        return new Attribute(name, AttributeValue.of(value));
    }

    @Test
    void exhaustedNonTlsFailureBouncesWithThePermanentFormOfItsStatus() throws Exception {
        Mail mail = mail("a@dest.test");
        RetryCount.set(mail, 3);

        decision.settle(mail, allFailed(mail, REFUSED, REFUSED), label());

        assertThat(bouncer.bounces).singleElement().satisfies(bounce -> assertThat(bounce.status).startsWith("5.4.1 "));
    }

    @Test
    void noMxMeetingRequireTlsBouncesAtOnceWith5730() throws Exception {
        Mail mail = mail("a@dest.test");
        DeliveryFailure noneQualifies = new DeliveryFailure(FailureKind.REQUIRETLS, "5.7.30",
            "REQUIRETLS: mx1.dest.test [127.0.0.1]:25 was not found securely");

        decision.settle(mail, allFailed(mail, noneQualifies, noneQualifies), label());

        assertThat(queue.enqueued).isEmpty();
        assertThat(bouncer.bounces).singleElement().satisfies(bounce ->
            assertThat(bounce.status).isEqualTo("5.7.30 REQUIRETLS: mx1.dest.test [127.0.0.1]:25 was not found securely"));
        assertThat(metricFactory.countFor("jamestls_bounced_required_requiretls")).isEqualTo(1);
    }

    @Test
    void exhaustedRetriesOfARequireTlsMailAnAvailableMxDidNotMeetSay5730() throws Exception {
        Mail mail = mail("a@dest.test");
        RetryCount.set(mail, 3);
        DeliveryFailure noRequireTls = new DeliveryFailure(FailureKind.REQUIRETLS_MISSING, "5.7.30",
            "REQUIRETLS: mx1.dest.test [127.0.0.1]:25 does not offer REQUIRETLS after STARTTLS");

        decision.settle(mail, allFailed(mail, REFUSED, noRequireTls, REFUSED), label());

        assertThat(bouncer.bounces).singleElement().satisfies(bounce -> assertThat(bounce.status)
            .startsWith("5.7.30 ").contains("does not offer REQUIRETLS", "connection refused"));
    }

    @Test
    void mixedOutcomeBouncesRejectedRecipientsAndRetriesOnlyTheDeferredOnes() throws Exception {
        Mail mail = mail("ok@dest.test", "gone@dest.test", "later@dest.test");
        DeliveryFailure gone = new DeliveryFailure(FailureKind.RECIPIENT_REJECTED, "5.1.1", "mx1 rejected gone@dest.test: 550");
        DeliveryFailure later = new DeliveryFailure(FailureKind.RECIPIENT_REJECTED, "4.2.0", "mx1 deferred later@dest.test: 451");
        HostAttemptResult transaction = HostAttemptResult.transacted(MX1, Optional.empty(), List.of(
            RecipientOutcome.delivered(new MailAddress("ok@dest.test")),
            RecipientOutcome.failed(new MailAddress("gone@dest.test"), gone),
            RecipientOutcome.failed(new MailAddress("later@dest.test"), later)));

        decision.settle(mail, DomainDeliveryResult.fromTransaction(transaction, List.of(), POLICY_ONLY), label());

        assertThat(bouncer.bounces).singleElement().satisfies(bounce -> {
            assertThat(bounce.status).startsWith("5.1.1 ");
            assertThat(bounce.recipients).extracting(MailAddress::asString).containsExactly("gone@dest.test");
        });
        assertThat(queue.enqueued).singleElement().satisfies(entry ->
            assertThat(entry.recipients).extracting(MailAddress::asString).containsExactly("later@dest.test"));
    }

    @Test
    void fullyDeliveredMailNeitherBouncesNorRequeues() throws Exception {
        Mail mail = mail("ok@dest.test");
        HostAttemptResult transaction = HostAttemptResult.transacted(MX1, Optional.empty(),
            List.of(RecipientOutcome.delivered(new MailAddress("ok@dest.test"))));

        decision.settle(mail, DomainDeliveryResult.fromTransaction(transaction, List.of(), POLICY_ONLY), label());

        assertThat(queue.enqueued).isEmpty();
        assertThat(bouncer.bounces).isEmpty();
    }

    /** Settling the same run again (e.g. after the queue refused the re-enqueue) does what is left, nothing twice. */
    @ParameterizedTest(name = "the first settle: {0}")
    @ValueSource(strings = {"succeeds", "the queue refuses the re-enqueue"})
    void settlingTheSameResultTwiceHasTheEffectOfOnce(String first) throws Exception {
        HandOverFaults faults = first.equals("succeeds") ? HandOverFaults.none() : HandOverFaults.always("enQueue");
        RecordingMailQueue refusing = new RecordingMailQueue(faults);
        RecordingMailQueue accepting = new RecordingMailQueue();
        RecordingMailetContext context = new RecordingMailetContext(HandOverFaults.none());
        boolean[] refuse = {true};
        QueueDecision settling = new QueueDecision(new RetryStrategy() {
                @Override
                public void defer(Mail deferred, Duration delay) throws MailQueue.MailQueueException {
                    (refuse[0] ? refusing : accepting).enQueue(deferred, delay);
                }

                @Override
                public RetryStrategyKind kind() {
                    return RetryStrategyKind.QUEUE_DELAY;
                }
            },
            RetrySchedule.of(List.of(Duration.ofMinutes(5)), 3), new Bouncer(context, Optional.of("bounces"), "relay.test"),
            new SuccessForwarder(context, Optional.of("delivered")), new DeliveryMetrics(metricFactory));
        Mail mail = mail("ok@dest.test", "gone@dest.test", "later@dest.test");
        DomainDeliveryResult result = mixedResult();

        try {
            settling.settle(mail, result, label());
        } catch (MailQueue.MailQueueException e) {
            assertThat(first).isNotEqualTo("succeeds");
        }
        refuse[0] = false;
        settling.settle(mail, result, label());

        assertThat(refusing.enqueued.size() + accepting.enqueued.size()).as("queued once").isEqualTo(1);
        assertThat(context.sentTo("delivered")).singleElement().satisfies(copy ->
            assertThat(copy.recipients).extracting(MailAddress::asString).containsExactly("ok@dest.test"));
        assertThat(context.sentTo("bounces")).singleElement().satisfies(dsn ->
            assertThat(dsn.recipients).extracting(MailAddress::asString).containsExactly("gone@dest.test"));
        assertThat(RetryCount.of(mail)).isEqualTo(1);
        assertThat(metricFactory.countFor("jamestls_deferred_required_recipient_rejected")).isEqualTo(1);
    }

    /** A DSN is a copy of the bounced mail: entering the mailet, it owes no copies and starts at retry 0. */
    @Test
    void aMailEnteringTheMailetStartsADeliveryOfItsOwn() throws Exception {
        Mail mail = mail("a@dest.test");
        RetryCount.set(mail, 5);
        mail.setAttribute(new Attribute(QueueDecision.LAST_ERROR, AttributeValue.of("earlier")));
        PendingCopy.writeTo(mail, List.of(PendingCopy.bounce(mail.getRecipients(), "5.1.1 gone", List.of())));
        mail.setAttribute(new Attribute(QueueDecision.SETTLED_RUN, AttributeValue.of("run-1")));

        QueueDecision.startAfresh(mail);

        assertThat(RetryCount.of(mail)).isZero();
        assertThat(PendingCopy.readFrom(mail)).isEmpty();
        assertThat(mail.attributeNames().map(AttributeName::asString)).doesNotContain("jamestls.last-error",
            "jamestls.settled-run", "jamestls.settle.pending", "delivery_retry_count");
    }

    private static DomainDeliveryResult mixedResult() throws Exception {
        return DomainDeliveryResult.fromTransaction(HostAttemptResult.transacted(MX1, Optional.empty(), List.of(
            RecipientOutcome.delivered(new MailAddress("ok@dest.test")),
            RecipientOutcome.failed(new MailAddress("gone@dest.test"),
                new DeliveryFailure(FailureKind.RECIPIENT_REJECTED, "5.1.1", "mx1 rejected gone@dest.test: 550")),
            RecipientOutcome.failed(new MailAddress("later@dest.test"),
                new DeliveryFailure(FailureKind.RECIPIENT_REJECTED, "4.2.0", "mx1 deferred later@dest.test: 451")))),
            List.of(), POLICY_ONLY);
    }

    /** Nothing was transacted: every recipient gets {@code last}, after these failed MX attempts. */
    private static DomainDeliveryResult allFailed(Mail mail, DeliveryFailure last, DeliveryFailure... attempts) {
        return DomainDeliveryResult.allFailed(mail.getRecipients(), last, List.of(attempts), POLICY_ONLY);
    }

    private static Mail mail(String... recipients) throws Exception {
        return MailImpl.builder().name("m").sender("from@source.test").addRecipients(recipients).build();
    }

    private static DeliveryLabel label() {
        ResolvedTlsPolicy policy = requiredPolicy();
        return new DeliveryLabel("m", "dest.test", "none", policy.tls(), policy.tlsVerify());
    }

    private static ResolvedTlsPolicy requiredPolicy() {
        try {
            return org.jamestls.policy.TlsPolicyParser.parse(new java.io.ByteArrayInputStream(
                "<tlsPolicy><tls>required</tls></tlsPolicy>".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test")
                .resolve("dest.test", Optional.<Binding>empty());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class RecordingBouncer extends Bouncer {
        static final class Bounce {
            final Collection<MailAddress> recipients;
            final String status;
            final List<Attribute> attributes;

            Bounce(Collection<MailAddress> recipients, String status, List<Attribute> attributes) {
                this.recipients = List.copyOf(recipients);
                this.status = status;
                this.attributes = List.copyOf(attributes);
            }
        }

        final List<Bounce> bounces = new ArrayList<>();

        RecordingBouncer() {
            super(null, Optional.empty(), "relay.test");
        }

        @Override
        public void bounce(Mail mail, Collection<MailAddress> recipients, String statusAndReason, List<Attribute> outcome) {
            bounces.add(new Bounce(recipients, statusAndReason, outcome));
        }
    }
}
