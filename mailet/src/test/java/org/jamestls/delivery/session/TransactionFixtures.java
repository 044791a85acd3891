package org.jamestls.delivery.session;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.ScriptedSmtpServer;

/** Mails sent one after another over one pool to a scripted receiver, and their outcomes in a short form. */
final class TransactionFixtures {
    static final ConnectionPlan TLS_REQUIRED = new ConnectionPlan(Optional.empty(), "relay.test", StartTlsMode.MANDATORY,
        TestTls.unverified());

    private TransactionFixtures() {
    }

    /** A pool that keeps sessions for the next mail (the clock does not move, so none expires). */
    static SessionPool reusingPool() {
        return new SessionPool(100, Duration.ofSeconds(10), 4, () -> 0L, SessionPool.poolThread(), false);
    }

    static MxTarget target(ScriptedSmtpServer server) {
        return new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), server.port());
    }

    /** One mail per entry, its recipients' local parts separated by spaces, each to {@code dest.test}. */
    static List<HostAttemptResult> send(HostDelivery delivery, ScriptedSmtpServer server, String... mails) throws Exception {
        List<HostAttemptResult> results = new ArrayList<>();
        for (int i = 0; i < mails.length; i++) {
            results.add(send(delivery, server, mails[i], "m" + i, MimeMessageBuilder.mimeMessageBuilder()
                .setSubject("s" + i).setText("body " + i + "\r\n.dot\r\n").build()));
        }
        return results;
    }

    /** One mail named {@code name} with this message, to the local parts {@code localParts} at {@code dest.test}. */
    static HostAttemptResult send(HostDelivery delivery, ScriptedSmtpServer server, String localParts, String name,
                                  MimeMessage message) throws Exception {
        List<MailAddress> recipients = recipients(localParts);
        MailImpl mail = MailImpl.builder().name(name).sender("from@source.test").addRecipients(recipients)
            .mimeMessage(message).build();
        return delivery.attempt(target(server), TLS_REQUIRED, mail, recipients);
    }

    /**
     * Each result in the form of {@link #send}'s mails: {@code lost} (not transacted), else per recipient in the
     * mail's order D delivered, T temporary failure, P permanent failure; mails separated by {@code |}.
     */
    static String outcomes(List<HostAttemptResult> results, String... mails) throws Exception {
        List<String> text = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            HostAttemptResult result = results.get(i);
            if (!result.isTransacted()) {
                text.add("lost");
                continue;
            }
            StringBuilder letters = new StringBuilder();
            for (MailAddress recipient : recipients(mails[i])) {
                letters.append(result.recipientOutcomes().stream().filter(o -> o.recipient().equals(recipient))
                    .map(o -> o.status().name().substring(0, 1)).findFirst().orElse("?"));
            }
            text.add(letters.toString());
        }
        return String.join(" | ", text);
    }

    /** How many mails of {@link #outcomes}' text had a recipient delivered. */
    static int mailsWithADelivery(String outcomes) {
        int mails = 0;
        for (String mail : outcomes.split("\\|")) {
            mails += mail.contains("D") ? 1 : 0;
        }
        return mails;
    }

    private static List<MailAddress> recipients(String localParts) throws Exception {
        List<MailAddress> recipients = new ArrayList<>();
        for (String localPart : localParts.trim().split("\\s+")) {
            recipients.add(new MailAddress(localPart + "@dest.test"));
        }
        return recipients;
    }
}
