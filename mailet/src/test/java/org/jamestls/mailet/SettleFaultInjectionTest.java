package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.TlsRptRecorder;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.settle.Bouncer;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.delivery.settle.RetrySchedule;
import org.jamestls.delivery.settle.SuccessForwarder;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.testing.FakeDns;
import org.jamestls.testing.HandOverFaults;
import org.jamestls.testing.RecordingMailQueue;
import org.jamestls.testing.RecordingMailetContext;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection at each step where a mail changes hands after its transaction: the onSuccess copy (its
 * {@code mail.duplicate()} and {@code sendMail}), the bounce (the same two), the re-enqueue of the deferred recipient,
 * and the same steps on the retry. One mail to {@code ok@} (accepted), {@code gone@} (550 5.1.1) and {@code later@}
 * (451 on the first attempt, accepted on the next). The queue is run as James runs it; a pass that throws hands its item
 * back as James's memory queue does (the changed mail, at once) or as a JMS queue does (the original mail again).
 * Whatever fails, the receiver gets the mail once per recipient, the onSuccess processor one copy per delivered
 * recipient, the bounce processor one DSN for {@code gone@}, nothing is delivered on a pass that only exists because
 * an item was handed back, and the queue ends empty.
 */
class SettleFaultInjectionTest {
    private static final MxTarget MX = new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), 25);
    private static final int MAX_PASSES = 40;

    enum HandBack { MEMORY_QUEUE, JMS_QUEUE }

    /** Steps in order: 1 duplicate and 2 sendMail of the onSuccess copy, 3 and 4 of the bounce, 5 the re-enqueue;
     * on the retry 6 and 7 the onSuccess copy of later@ (and more when an earlier step had to be repeated). */
    static Stream<Arguments> faultAtEachStep() {
        return Stream.of(HandBack.values()).flatMap(handBack ->
            Stream.of(0, 1, 2, 3, 4, 5, 6, 7, 8).map(step -> Arguments.of(step, handBack)));
    }

    @ParameterizedTest(name = "fault at step {0}, item handed back as a {1} does")
    @MethodSource("faultAtEachStep")
    void aFaultAtAnyHandOverNeitherResendsNorLosesAnything(int failingStep, HandBack handBack) throws Exception {
        Scenario scenario = new Scenario(failingStep == 0 ? HandOverFaults.none() : HandOverFaults.atStep(failingStep));

        scenario.run(handBack);

        assertThat(scenario.receiver.accepted).as("the receiver holds the mail once per recipient; steps "
            + scenario.faults.steps()).containsOnly(Map.entry("ok@dest.test", 1), Map.entry("later@dest.test", 1));
        assertThat(recipients(scenario.context.sentTo("delivered"))).as("onSuccess copies")
            .containsExactly("ok@dest.test", "later@dest.test");
        assertThat(scenario.context.sentTo("bounces")).as("DSNs").singleElement().satisfies(dsn -> {
            assertThat(dsn.recipients).extracting(MailAddress::asString).containsExactly("gone@dest.test");
            assertThat(dsn.deliveryError.orElseThrow()).startsWith("5.1.1 ");
        });
        scenario.assertEndedOnTheSchedule();
        assertThat(scenario.context.sent()).as("a copy does not carry the settle step's bookkeeping (a DSN made from it"
            + " would hand the copies over again)").allSatisfy(copy -> assertThat(copy.attributeNames)
                .doesNotContain("jamestls.settle.pending", "jamestls.settled-run", "jamestls.settle-finished"));
    }

    /** A processor that refuses every copy: the copy is retried on the schedule, then given up; delivery is unaffected. */
    @ParameterizedTest(name = "every {0} fails")
    @EnumSource(value = PersistentFault.class)
    void aCopyThatCanNeverBeHandedOverIsGivenUpAfterTheRetriesWithoutResending(PersistentFault fault) throws Exception {
        Scenario scenario = new Scenario(HandOverFaults.always(fault.step));

        scenario.run(HandBack.JMS_QUEUE);

        assertThat(scenario.receiver.accepted).containsOnly(Map.entry("ok@dest.test", 1), Map.entry("later@dest.test", 1));
        assertThat(scenario.context.sentTo(fault.processor)).isEmpty();
        long attempts = scenario.faults.steps().stream().filter(step -> step.contains(fault.step) && step.endsWith("FAILED"))
            .count();
        assertThat(attempts).as("hand-overs tried: the first and one per retry, " + scenario.faults.steps())
            .isEqualTo(fault.expectedAttempts);
        scenario.assertEndedOnTheSchedule();
    }

    enum PersistentFault {
        BOUNCE("sendMail bounces", "bounces", 4),
        ON_SUCCESS("sendMail delivered", "delivered", 8);

        final String step;
        final String processor;
        /** maxRetries (3) + 1 for each copy owed: one bounce; two onSuccess copies (ok@, then later@). */
        final long expectedAttempts;

        PersistentFault(String step, String processor, long expectedAttempts) {
            this.step = step;
            this.processor = processor;
            this.expectedAttempts = expectedAttempts;
        }
    }

    private static List<String> recipients(List<RecordingMailetContext.Sent> sent) {
        return sent.stream().flatMap(s -> s.recipients.stream()).map(MailAddress::asString).collect(Collectors.toList());
    }

    /** The mailet's delivery with the real settle steps, a scripted receiver, and the faults in the hand-overs. */
    private static final class Scenario {
        final HandOverFaults faults;
        final RecordingMailQueue queue;
        final RecordingMailetContext context;
        final Receiver receiver = new Receiver();
        final QueuedMailDelivery delivery;
        int passes;

        Scenario(HandOverFaults faults) throws Exception {
            this.faults = faults;
            this.queue = new RecordingMailQueue(faults);
            this.context = new RecordingMailetContext(faults);
            DeliveryMetrics metrics = new DeliveryMetrics(new RecordingMetricFactory());
            QueueDecision decision = new QueueDecision(RetryStrategy.queueDelay(queue), RetrySchedule.of(List.of(Duration.ofMinutes(1)), 3),
                new Bouncer(context, Optional.of("bounces"), "relay.test"),
                new SuccessForwarder(context, Optional.of("delivered")), metrics);
            DeliveryPlanner planner = new DeliveryPlanner(
                new MxResolver(new FakeDns().mx("dest.test", "mx.dest.test").a("mx.dest.test", "127.0.0.1"), 25),
                PublishedPolicies.none(25), new TlsProfiles(new TlsClientContexts(url -> {
                    throw new FileNotFoundException(url);
                })), "relay.test", new BrokenTlsMemory(new RecordingMetricFactory()), Clock.systemUTC());
            this.delivery = new QueuedMailDelivery(new EffectivePolicy(TlsPolicy.empty(), false), planner, receiver, decision,
                new DomainSplitter(queue), metrics);
        }

        /** Runs the queue as James would, each queued copy in turn (delays are recorded, not waited for). */
        void run(HandBack handBack) throws Exception {
            Deque<Mail> handedBack = new ArrayDeque<>();
            Mail next = MailImpl.builder().name("m1-to-dest.test").sender("from@source.test")
                .addRecipients("ok@dest.test", "gone@dest.test", "later@dest.test")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body")).build();
            int consumed = 0;
            boolean fromHandBack = false;
            while (next != null && passes++ < MAX_PASSES) {
                Mail original = RecordingMailQueue.copy(next);
                receiver.passFromHandBack = fromHandBack;
                try {
                    delivery.process(faults.wrap(next));
                } catch (Exception e) {
                    handedBack.add(handBack == HandBack.MEMORY_QUEUE ? RecordingMailQueue.copy(next) : original);
                }
                if (!handedBack.isEmpty()) {
                    next = handedBack.poll();
                    fromHandBack = true;
                } else if (consumed < queue.enqueued.size()) {
                    next = RecordingMailQueue.copy(queue.enqueued.get(consumed++).mail);
                    fromHandBack = false;
                } else {
                    next = null;
                }
            }
        }

        void assertEndedOnTheSchedule() {
            assertThat(passes).as("the queue ends empty; steps " + faults.steps()).isLessThan(MAX_PASSES);
            assertThat(receiver.deliveriesOnHandBackPasses).as("nothing delivered at once after a hand-back").isZero();
            assertThat(queue.enqueued).as("every re-enqueue waits on the schedule")
                .allSatisfy(entry -> assertThat(entry.delay).isPositive());
        }
    }

    /** ok@ always accepted, gone@ always 550 5.1.1, later@ 451 the first time and accepted after. */
    private static final class Receiver extends DomainDeliverer {
        final Map<String, Integer> accepted = new ConcurrentHashMap<>();
        final Map<String, Integer> seen = new ConcurrentHashMap<>();
        boolean passFromHandBack;
        int deliveriesOnHandBackPasses;

        Receiver() {
            super(null, null);
        }

        @Override
        public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryPlan plan,
                                                TlsRptRecorder.Recording recording) {
            List<RecipientOutcome> outcomes = new ArrayList<>();
            for (MailAddress recipient : recipients) {
                String address = recipient.asString();
                int attempt = seen.merge(address, 1, Integer::sum);
                if (address.startsWith("gone@")) {
                    outcomes.add(RecipientOutcome.failed(recipient, new DeliveryFailure(FailureKind.RECIPIENT_REJECTED,
                        "5.1.1", MX + " rejected " + address + ": 550 5.1.1 no such user")));
                } else if (address.startsWith("later@") && attempt == 1) {
                    outcomes.add(RecipientOutcome.failed(recipient, new DeliveryFailure(FailureKind.RECIPIENT_REJECTED,
                        "4.2.0", MX + " deferred " + address + ": 451 4.2.0 try later")));
                } else {
                    accepted.merge(address, 1, Integer::sum);
                    outcomes.add(RecipientOutcome.delivered(recipient));
                }
            }
            if (passFromHandBack) {
                deliveriesOnHandBackPasses++;
            }
            return DomainDeliveryResult.fromTransaction(HostAttemptResult.transacted(MX, Optional.empty(), outcomes),
                List.of(), MxSecurity.operatorOnly(TlsLevel.NO));
        }
    }
}
