package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.delivery.Bouncer;
import org.jamestls.delivery.DeliveryContext;
import org.jamestls.delivery.DeliveryMetrics;
import org.jamestls.delivery.DomainDeliverer;
import org.jamestls.delivery.DomainDeliveryResult;
import org.jamestls.delivery.QueueDecision;
import org.jamestls.delivery.RecordingMailQueue;
import org.jamestls.delivery.SuccessForwarder;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.api.Test;

class QueuedMailDeliveryTest {

    @Test
    void anUnexpectedExceptionDefersTheMailOnTheScheduleInsteadOfSpinningThroughTheQueue() throws Exception {
        RecordingMailQueue queue = new RecordingMailQueue();
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig()
            .with("delayTime", "1 minute").with("maxRetries", "3"));
        DeliveryMetrics metrics = new DeliveryMetrics(new RecordingMetricFactory());
        DomainDeliverer failing = new DomainDeliverer(null, null, metrics, null) {
            @Override
            public DomainDeliveryResult deliver(Mail mail, Collection<MailAddress> recipients, DeliveryContext context) {
                throw new StringIndexOutOfBoundsException(-1);
            }
        };
        QueuedMailDelivery delivery = new QueuedMailDelivery(TlsPolicy.empty(), configuration,
            new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            }),
            failing,
            new QueueDecision(queue, configuration.retrySchedule(), new Bouncer(null, Optional.empty(), "relay.test"),
                new SuccessForwarder(null, Optional.empty()), metrics),
            new DomainSplitter(queue), metrics);

        delivery.process(MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test").build());

        assertThat(queue.enqueued).singleElement().satisfies(entry -> {
            assertThat(entry.delay).isEqualTo(Duration.ofMinutes(1));
            assertThat(entry.retryCount).isEqualTo(1);
        });
    }
}
