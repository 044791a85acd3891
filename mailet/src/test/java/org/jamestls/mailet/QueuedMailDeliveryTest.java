package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.plan.DeliveryPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.settle.Bouncer;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.delivery.settle.SuccessForwarder;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.testing.FakeDns;
import org.jamestls.testing.RecordingMailQueue;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.api.Test;

class QueuedMailDeliveryTest {

    @Test
    void anUnexpectedExceptionDefersTheMailOnTheScheduleInsteadOfSpinningThroughTheQueue() throws Exception {
        RecordingMailQueue queue = new RecordingMailQueue();
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig()
            .with("delayTime", "1 minute").with("maxRetries", "3"));
        DeliveryMetrics metrics = new DeliveryMetrics(new RecordingMetricFactory());
        DeliveryPlanner planner = new DeliveryPlanner(
            new MxResolver(new FakeDns().mx("dest.test", "mx.dest.test").a("mx.dest.test", "127.0.0.1"), 25),
            PublishedPolicies.none(25), new TlsProfiles(new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            })), "relay.test", new BrokenTlsMemory(new RecordingMetricFactory()), Clock.systemUTC());
        DomainDeliverer failing = new DomainDeliverer(null, metrics) {
            @Override
            public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryPlan plan) {
                throw new StringIndexOutOfBoundsException(-1);
            }
        };
        QueuedMailDelivery delivery = new QueuedMailDelivery(new EffectivePolicy(TlsPolicy.empty(), false), planner, failing,
            new QueueDecision(RetryStrategy.queueDelay(queue), configuration.retrySchedule(),
                new Bouncer(null, Optional.empty(), "relay.test"), new SuccessForwarder(null, Optional.empty()), metrics),
            new DomainSplitter(queue), metrics);

        delivery.process(MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test").build());

        assertThat(queue.enqueued).singleElement().satisfies(entry -> {
            assertThat(entry.delay).isEqualTo(Duration.ofMinutes(1));
            assertThat(entry.retryCount).isEqualTo(1);
        });
    }
}
