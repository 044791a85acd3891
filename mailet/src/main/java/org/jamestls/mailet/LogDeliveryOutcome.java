package org.jamestls.mailet;

import java.util.stream.Collectors;

import org.apache.mailet.Attribute;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamestls.delivery.outcome.OutcomeAttributes;
import org.jamestls.smtpin.RequireTlsMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An audit line per mail from the {@code jamestls.outcome.*} attributes TlsRemoteDelivery sets on
 * delivered (onSuccess) and bounced mail, and the sender's {@code jamestls.requiretls} request when the mail
 * carries one. Put it in the onSuccess and bounce processors; the mail itself is left untouched for the mailets
 * that follow.
 */
public class LogDeliveryOutcome extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(LogDeliveryOutcome.class);

    @Override
    public void service(Mail mail) {
        String outcome = mail.attributes()
            .filter(attribute -> attribute.getName().asString().startsWith(OutcomeAttributes.PREFIX)
                || attribute.getName().equals(RequireTlsMark.ATTRIBUTE))
            .map(LogDeliveryOutcome::format)
            .collect(Collectors.joining(" "));
        LOGGER.info("Delivery outcome ({}): mail={} sender={} recipients={} {}", mail.getState(),
            mail.getName(), mail.getMaybeSender().asString(), mail.getRecipients(), outcome);
    }

    private static String format(Attribute attribute) {
        String full = attribute.getName().asString();
        String name = full.startsWith(OutcomeAttributes.PREFIX) ? full.substring(OutcomeAttributes.PREFIX.length())
            : full.substring(full.indexOf('.') + 1);
        return name + "=\"" + String.valueOf(attribute.getValue().value()).replaceAll("[\\r\\n\"]", " ") + "\"";
    }

    @Override
    public String getMailetInfo() {
        return "Logs the TLS delivery outcome attributes of a mail";
    }
}
