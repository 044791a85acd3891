package org.jamestls.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;

/** The copies a mail owes survive a queue that stores attributes as JSON (the ActiveMQ and RabbitMQ queues). */
class PendingCopyTest {
    @Test
    void copiesOwedSurviveTheJsonOfAPersistentQueue() throws Exception {
        List<PendingCopy> owed = List.of(
            PendingCopy.onSuccess(List.of(new MailAddress("ok@dest.test"), new MailAddress("ok2@dest.test")),
                List.of(new Attribute(AttributeName.of("jamestls.outcome.channel"), AttributeValue.of("tls")))),
            PendingCopy.bounce(List.of(new MailAddress("gone@dest.test")), "5.1.1 mx rejected gone@dest.test: 550", List.of())
                .failedOnce().failedOnce());
        Mail mail = MailImpl.builder().name("m").sender("from@source.test").addRecipient("later@dest.test").build();
        PendingCopy.writeTo(mail, owed);

        String json = mail.getAttribute(PendingCopy.PENDING).orElseThrow().getValue().toJson().orElseThrow().toString();
        Mail dequeued = MailImpl.builder().name("m").sender("from@source.test").addRecipient("later@dest.test").build();
        dequeued.setAttribute(new Attribute(PendingCopy.PENDING, AttributeValue.fromJsonString(json)));

        assertThat(PendingCopy.readFrom(dequeued)).isEqualTo(owed);
        assertThat(PendingCopy.readFrom(dequeued).get(1).failures()).isEqualTo(2);
    }

    @Test
    void noCopiesOwedLeavesNoAttribute() throws Exception {
        Mail mail = MailImpl.builder().name("m").sender("from@source.test").addRecipient("later@dest.test").build();
        PendingCopy.writeTo(mail, List.of(PendingCopy.bounce(mail.getRecipients(), "5.1.1 x", List.of())));

        PendingCopy.writeTo(mail, List.of());

        assertThat(mail.getAttribute(PendingCopy.PENDING)).isEmpty();
        assertThat(PendingCopy.readFrom(mail)).isEmpty();
    }
}
