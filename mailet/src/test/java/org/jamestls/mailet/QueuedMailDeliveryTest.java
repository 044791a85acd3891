package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.TlsRptRecorder;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.settle.Bouncer;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.delivery.settle.RetryCount;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.delivery.settle.SuccessForwarder;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.testing.FakeDns;
import org.jamestls.testing.HandOverFaults;
import org.jamestls.testing.RecordingMailQueue;
import org.jamestls.testing.RecordingMailetContext;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whatever is thrown while a queued mail is delivered (an exception or an Error, while resolving the operator's options,
 * planning or connecting) ends on the retry schedule with 4.3.0, or bounces 5.3.0 once retries are exhausted: never
 * thrown to the queue, which would retry it at once (memory) or roll it back towards a dead-letter queue (JMS).
 */
class QueuedMailDeliveryTest {
    enum Step { POLICY, PLAN, DELIVERY }

    @ParameterizedTest(name = "{1} while {0}, retries so far {2}: deferred={3}")
    @CsvSource({
        "POLICY,   java.lang.IllegalStateException,      0, true",
        "POLICY,   java.lang.OutOfMemoryError,           0, true",
        "PLAN,     java.lang.StackOverflowError,         0, true",
        "PLAN,     java.lang.NullPointerException,       0, true",
        "DELIVERY, java.lang.StringIndexOutOfBoundsException, 0, true",
        "DELIVERY, java.lang.StackOverflowError,         0, true",
        "DELIVERY, java.lang.OutOfMemoryError,           3, false"
    })
    void anythingThrownWhileDeliveringEndsOnTheRetryScheduleOrInABounce(Step step, Class<? extends Throwable> thrown,
                                                                         int retriesSoFar, boolean deferred) throws Exception {
        RecordingMailQueue queue = new RecordingMailQueue();
        RecordingMailetContext context = new RecordingMailetContext(HandOverFaults.none());
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig()
            .with("delayTime", "1 minute").with("maxRetries", "3"));
        DeliveryMetrics metrics = new DeliveryMetrics(new RecordingMetricFactory());
        Throwable failure = thrown.getConstructor(String.class).newInstance("injected");
        FakeDns dns = new FakeDns().mx("dest.test", "mx.dest.test").a("mx.dest.test", "127.0.0.1");
        MxResolver resolver = new MxResolver(dns, 25) {
            @Override
            public List<MxTarget> resolve(String domain) throws ResolutionFailure {
                throwIf(step == Step.PLAN, failure);
                return super.resolve(domain);
            }
        };
        DeliveryPlanner planner = new DeliveryPlanner(resolver, PublishedPolicies.none(25),
            new TlsProfiles(new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            })), "relay.test", new BrokenTlsMemory(new RecordingMetricFactory()), Clock.systemUTC());
        DomainDeliverer deliverer = new DomainDeliverer(null, metrics) {
            @Override
            public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryPlan plan,
                                                TlsRptRecorder.Recording recording) {
                throwIf(true, failure);
                return null;
            }
        };
        QueuedMailDelivery delivery = new QueuedMailDelivery(new EffectivePolicy(TlsPolicy.empty(), false), planner, deliverer,
            new QueueDecision(RetryStrategy.queueDelay(queue), configuration.retrySchedule(),
                new Bouncer(context, Optional.of("bounces"), "relay.test"), new SuccessForwarder(context, Optional.empty()),
                metrics),
            new DomainSplitter(queue), metrics);
        MailImpl mail = MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test").build();
        RetryCount.set(mail, retriesSoFar);

        delivery.process(step == Step.POLICY ? failingBindingLookup(mail, failure) : mail);

        if (deferred) {
            assertThat(queue.enqueued).singleElement().satisfies(entry -> {
                assertThat(entry.delay).isEqualTo(Duration.ofMinutes(1));
                assertThat(entry.retryCount).isEqualTo(retriesSoFar + 1);
                assertThat(entry.recipients).extracting(MailAddress::asString).containsExactly("b@dest.test");
            });
            assertThat(context.sent()).isEmpty();
        } else {
            assertThat(queue.enqueued).isEmpty();
            assertThat(context.sentTo("bounces")).singleElement().satisfies(dsn ->
                assertThat(dsn.deliveryError.orElseThrow()).startsWith("5.3.0 ").contains("internal error", "injected"));
        }
    }

    /** A mail whose binding attribute cannot be read: the operator's options for it cannot be resolved. */
    private static Mail failingBindingLookup(Mail mail, Throwable failure) {
        return (Mail) Proxy.newProxyInstance(Mail.class.getClassLoader(), new Class<?>[] {Mail.class}, (proxy, method, args) -> {
            if (method.getName().equals("getAttribute") && args.length == 1
                    && args[0].equals(BindingAssigner.SELECTED_BINDING)) {
                throw failure;
            }
            try {
                return method.invoke(mail, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static void throwIf(boolean condition, Throwable failure) {
        if (!condition) {
            return;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        throw (Error) failure;
    }
}
