package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.server.core.MailImpl;
import org.jamestls.testing.HandOverFaults;
import org.jamestls.testing.RecordingMailQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One queued copy per domain, and atomic for the recipients: a copy that cannot be queued loses and doubles nobody. */
class DomainSplitterTest {
    private static final List<String> RECIPIENTS = List.of("a1@one.test", "b1@two.test", "a2@one.test", "c1@three.test",
        "b2@two.test");

    @Test
    void eachDomainGetsOneCopyNamedAfterIt() throws Exception {
        RecordingMailQueue queue = new RecordingMailQueue();
        MailImpl mail = mail();

        new DomainSplitter(queue).enqueuePerDomain(mail);

        assertThat(queue.enqueued).extracting(entry -> entry.name + " " + addresses(entry.recipients)).containsExactly(
            "m1-to-one.test [a1@one.test, a2@one.test]", "m1-to-two.test [b1@two.test, b2@two.test]",
            "m1-to-three.test [c1@three.test]");
        assertThat(mail.getRecipients()).isEmpty();
    }

    /** The queue refuses copy number {@code failing} (of 3): the copies before stay queued, the mail keeps the rest. */
    @ParameterizedTest(name = "the queue refuses copy {0} of 3")
    @ValueSource(ints = {1, 2, 3})
    void aCopyThatCannotBeQueuedLeavesItsRecipientsAndTheFollowingOnesOnTheMail(int failing) throws Exception {
        RecordingMailQueue queue = new RecordingMailQueue(HandOverFaults.atStep(failing));
        MailImpl mail = mail();

        assertThatThrownBy(() -> new DomainSplitter(queue).enqueuePerDomain(mail))
            .isInstanceOf(MailQueue.MailQueueException.class);

        List<String> queued = queue.enqueued.stream().flatMap(entry -> entry.recipients.stream()).map(MailAddress::asString)
            .collect(Collectors.toList());
        List<String> left = addresses(mail.getRecipients());
        List<String> everyone = new ArrayList<>(queued);
        everyone.addAll(left);
        assertThat(everyone).as("queued " + queued + ", left on the mail " + left)
            .containsExactlyInAnyOrderElementsOf(RECIPIENTS);
        assertThat(queue.enqueued).hasSize(failing - 1);
        assertThat(mail.getName()).as("the mail keeps its own name for whoever handles it next").isEqualTo("m1");
    }

    private static MailImpl mail() throws Exception {
        return MailImpl.builder().name("m1").sender("from@source.test").addRecipients(RECIPIENTS.toArray(String[]::new))
            .build();
    }

    private static List<String> addresses(java.util.Collection<MailAddress> recipients) {
        return recipients.stream().map(MailAddress::asString).collect(Collectors.toList());
    }
}
