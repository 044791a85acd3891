package org.jamestls.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.DeliveryMetrics;
import org.jamestls.delivery.outcome.DomainDeliveryResult;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.MxResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.delivery.plan.TlsProfiles;
import org.jamestls.delivery.session.HostDelivery;
import org.jamestls.delivery.session.SessionPool;
import org.jamestls.delivery.settle.Bouncer;
import org.jamestls.delivery.settle.QueueDecision;
import org.jamestls.delivery.settle.RetryCount;
import org.jamestls.retry.RetryStrategy;
import org.jamestls.delivery.settle.RetrySchedule;
import org.jamestls.delivery.settle.SuccessForwarder;
import org.jamestls.policy.EffectivePolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.testing.FakeDns;
import org.jamestls.testing.HandOverFaults;
import org.jamestls.testing.RecordingMailQueue;
import org.jamestls.testing.RecordingMailetContext;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.jamestls.tls.TlsClientContexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The basic reply code decides temporary or permanent (RFC 3463 section 2), whatever class the enhanced code the
 * server sent: {@code 450 5.7.1} (a greylisting server) is retried, {@code 550 4.1.1} bounces at once, for the answer to
 * RCPT TO, to MAIL FROM and to the final dot. The DSN's status takes its class from the basic code too: the permanent
 * form of the temporary status once retries run out, the status itself for a permanent answer. The scripted receiver
 * is needed: Postfix cannot be made to send an enhanced code whose class disagrees with its reply code.
 */
class ReplyClassTest {
    private static final String RECIPIENT = "to@dest.test";

    enum Command { MAIL_FROM, RCPT_TO, FINAL_DOT }

    @ParameterizedTest(name = "{1} to {0}: {2}, DSN status {3}")
    @CsvSource(delimiter = '|', value = {
        "RCPT_TO   | 450 5.7.1 greylisted, try again later | 4.7.1 | 5.7.1",
        "RCPT_TO   | 550 4.1.1 no such user               | 5.1.1 | 5.1.1",
        "RCPT_TO   | 550 no such user                     | 5.0.0 | 5.0.0",
        "MAIL_FROM | 451 5.7.1 sender greylisted          | 4.7.1 | 5.7.1",
        "MAIL_FROM | 553 4.1.8 sender domain unknown      | 5.1.8 | 5.1.8",
        "FINAL_DOT | 452 5.3.4 cannot take it now         | 4.3.4 | 5.3.4",
        "FINAL_DOT | 554 4.6.0 content rejected           | 5.6.0 | 5.6.0"
    })
    void theBasicCodeDecidesRetryOrBounceAndTheDsnClass(Command command, String reply, String status, String dsnStatus)
            throws Exception {
        boolean temporary = reply.startsWith("4");
        try (ScriptedSmtpServer server = answering(command, reply);
             SessionPool pool = new SessionPool(1, Duration.ZERO, 4)) {
            RecordingMailQueue queue = new RecordingMailQueue();
            RecordingMailetContext context = new RecordingMailetContext(HandOverFaults.none());
            QueueDecision decision = new QueueDecision(RetryStrategy.queueDelay(queue), RetrySchedule.of(List.of(Duration.ofMinutes(1)), 2),
                new Bouncer(context, Optional.of("bounces"), "relay.test"), new SuccessForwarder(context, Optional.empty()),
                new DeliveryMetrics(new RecordingMetricFactory()));
            DomainDeliverer deliverer = new DomainDeliverer(new HostDelivery(5000, 5000, pool),
                new DeliveryMetrics(new RecordingMetricFactory()));
            DeliveryRequest request = request();
            MailImpl mail = mail();

            DomainDeliveryResult first = deliverer.deliver(mail, mail.getRecipients(), planner(server).plan(request));

            DeliveryFailure failure = (temporary ? first.temporaryFailures() : first.permanentFailures())
                .get(new MailAddress(RECIPIENT));
            assertThat(failure).as("the recipient's failure is " + (temporary ? "temporary" : "permanent")).isNotNull();
            assertThat(failure.enhancedStatus()).isEqualTo(status);
            assertThat(failure.detail()).contains(reply);

            decision.settle(mail, first, request.label());
            if (temporary) {
                assertThat(queue.enqueued).as("deferred").hasSize(1);
                assertThat(context.sent()).isEmpty();
                MailImpl last = mail();
                RetryCount.set(last, 2);
                decision.settle(last, deliverer.deliver(last, last.getRecipients(), planner(server).plan(request)),
                    request.label());
            } else {
                assertThat(queue.enqueued).as("not retried").isEmpty();
            }
            assertThat(context.sentTo("bounces")).singleElement().satisfies(dsn ->
                assertThat(dsn.deliveryError.orElseThrow()).startsWith(dsnStatus + " "));
        }
    }

    private static ScriptedSmtpServer answering(Command command, String reply) throws Exception {
        ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED);
        switch (command) {
            case MAIL_FROM:
                return server.answeringMailFrom(reply);
            case RCPT_TO:
                return server.answeringRecipientsStartingWith("to", reply);
            default:
                return server.answeringFinalDot(reply);
        }
    }

    private static DeliveryPlanner planner(ScriptedSmtpServer server) {
        FakeDns dns = new FakeDns().mx("dest.test", "mx.dest.test").a("mx.dest.test", "127.0.0.1");
        return new DeliveryPlanner(new MxResolver(dns, server.port()), PublishedPolicies.none(server.port()),
            new TlsProfiles(new TlsClientContexts(url -> {
                throw new FileNotFoundException(url);
            })), "relay.test", new BrokenTlsMemory(new RecordingMetricFactory()), Clock.systemUTC());
    }

    private static DeliveryRequest request() throws Exception {
        EffectivePolicy policy = new EffectivePolicy(TlsPolicyParser.parse(new ByteArrayInputStream(
            "<tlsPolicy><tls>no</tls></tlsPolicy>".getBytes(StandardCharsets.UTF_8)), "t.xml"), false);
        return new DeliveryRequest("m1-to-dest.test", "dest.test", Optional.empty(), policy.resolve("dest.test", Optional.empty()));
    }

    private static MailImpl mail() throws Exception {
        return MailImpl.builder().name("m1-to-dest.test").sender("from@source.test").addRecipient(RECIPIENT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body")).build();
    }
}
