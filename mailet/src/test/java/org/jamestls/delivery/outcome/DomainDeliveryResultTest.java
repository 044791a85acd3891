package org.jamestls.delivery.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.core.MailAddress;
import org.jamestls.policy.TlsLevel;
import org.junit.jupiter.api.Test;

/**
 * Recipients keep the order they were given in: the re-queued mail's recipients, the DSNs' grouping and the
 * deferred metric's label (the first deferred recipient's failure) follow it, so they do not change from run to run.
 */
class DomainDeliveryResultTest {
    private static final MxTarget MX = new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), 25);
    private static final MxSecurity POLICY = MxSecurity.operatorOnly(TlsLevel.NO);

    @Test
    void aTransactionKeepsEachKindOfRecipientInTheOrderGiven() throws Exception {
        List<MailAddress> recipients = recipients(30);
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            MailAddress recipient = recipients.get(i);
            outcomes.add(i % 3 == 0 ? RecipientOutcome.delivered(recipient)
                : RecipientOutcome.failed(recipient, failure(i % 3 == 1 ? "5.1.1" : "4.2.0", recipient)));
        }

        DomainDeliveryResult result = DomainDeliveryResult.fromTransaction(
            HostAttemptResult.transacted(MX, Optional.empty(), outcomes), List.of(), POLICY);

        assertThat(result.delivered()).containsExactlyElementsOf(every(recipients, 0));
        assertThat(result.permanentFailures().keySet()).containsExactlyElementsOf(every(recipients, 1));
        assertThat(result.temporaryFailures().keySet()).containsExactlyElementsOf(every(recipients, 2));
    }

    @Test
    void aFailureOfTheWholeDomainKeepsTheOrderGiven() throws Exception {
        List<MailAddress> recipients = recipients(30);

        DomainDeliveryResult deferred = DomainDeliveryResult.allFailed(recipients,
            new DeliveryFailure(FailureKind.CONNECTION, "4.4.1", "refused"), List.of(), POLICY);
        DomainDeliveryResult bounced = DomainDeliveryResult.allFailed(recipients,
            new DeliveryFailure(FailureKind.DNS, "5.1.2", "no MX"), List.of(), POLICY);

        assertThat(deferred.temporaryFailures().keySet()).containsExactlyElementsOf(recipients);
        assertThat(bounced.permanentFailures().keySet()).containsExactlyElementsOf(recipients);
    }

    private static List<MailAddress> recipients(int count) {
        return IntStream.range(0, count).mapToObj(i -> {
            try {
                return new MailAddress("r" + i + "@dest.test");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toList());
    }

    private static List<MailAddress> every(List<MailAddress> recipients, int remainder) {
        return IntStream.range(0, recipients.size()).filter(i -> i % 3 == remainder).mapToObj(recipients::get)
            .collect(Collectors.toList());
    }

    private static DeliveryFailure failure(String status, MailAddress recipient) {
        return new DeliveryFailure(FailureKind.RECIPIENT_REJECTED, status, MX + " answered " + status + " for " + recipient);
    }
}
