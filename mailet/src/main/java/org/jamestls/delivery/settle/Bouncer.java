package org.jamestls.delivery.settle;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns failed recipients to the sender: through the configured bounce processor (James's DSNBounce
 * copies {@code delivery-error} into the DSN's Status field, so the text starts with the enhanced code),
 * or through {@link MailetContext#bounce} when no processor is configured. A REQUIRETLS mail's DSN returns the
 * headers only and is itself marked ({@link RequireTlsReturn}).
 */
public class Bouncer {
    private static final Logger LOGGER = LoggerFactory.getLogger(Bouncer.class);
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    private final MailetContext mailetContext;
    private final Optional<String> bounceProcessor;
    private final String serverName;

    public Bouncer(MailetContext mailetContext, Optional<String> bounceProcessor, String serverName) {
        this.mailetContext = mailetContext;
        this.bounceProcessor = bounceProcessor;
        this.serverName = serverName;
    }

    /** @param statusAndReason starts with the enhanced status code, e.g. {@code 5.7.10 TLS required ...} */
    public void bounce(Mail mail, Collection<MailAddress> recipients, String statusAndReason, List<Attribute> outcome)
            throws MessagingException {
        Mail bounced = mail.duplicate();
        try {
            bounced.setRecipients(recipients);
            QueueDecision.forgetSettling(bounced);
            outcome.forEach(bounced::setAttribute);
            bounced.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(statusAndReason)));
            bounced.setAttribute(new Attribute(IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(true)));
            RequireTlsReturn.prepare(bounced);
            LOGGER.info("Bouncing mail={} recipients={}: {}", mail.getName(), recipients, statusAndReason);
            if (bounceProcessor.isPresent()) {
                mailetContext.sendMail(bounced, bounceProcessor.get());
            } else if (bounced.getMaybeSender().isNullSender() || !bounced.getMaybeSender().asOptional().isPresent()) {
                LOGGER.info("Mail {} has a null sender: no DSN is sent", mail.getName());
            } else {
                mailetContext.bounce(bounced, explanation(recipients, statusAndReason));
            }
        } finally {
            LifecycleUtil.dispose(bounced);
        }
    }

    private String explanation(Collection<MailAddress> recipients, String statusAndReason) {
        StringBuilder text = new StringBuilder()
            .append("This is the James mail server at ").append(serverName).append(".\n")
            .append("I could not deliver your message to the following addresses; this is a permanent error.\n\n");
        recipients.forEach(recipient -> text.append(recipient.asString()).append('\n'));
        return text.append('\n').append(statusAndReason).append('\n').toString();
    }
}
