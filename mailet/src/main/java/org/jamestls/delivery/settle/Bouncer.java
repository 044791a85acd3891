package org.jamestls.delivery.settle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns failed recipients to the sender: through the configured bounce processor (James's DSNBounce
 * copies {@code delivery-error} into the DSN's Status field, so the text starts with the enhanced code),
 * or through {@link MailetContext#bounce} when no processor is configured. A REQUIRETLS mail's DSN returns the
 * headers only and is itself marked ({@link RequireTlsReturn}). No DSN is asked for (neither way) when the mail has
 * a null sender (DSNs, TLS reports) or for a recipient whose DSN {@code NOTIFY} (RFC 3461) leaves out
 * {@code FAILURE}, e.g. {@code NOTIFY=NEVER}: those failures are only logged, as stock RemoteDelivery does.
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
        List<MailAddress> notified = wantingFailureDsn(mail, recipients);
        if (notified.size() < recipients.size()) {
            List<MailAddress> silent = new ArrayList<>(recipients);
            silent.removeAll(notified);
            LOGGER.info("Failed mail={} recipients={}, no DSN ({}): {}", mail.getName(), silent,
                mail.getMaybeSender().isNullSender() ? "null sender" : "DSN NOTIFY without FAILURE", statusAndReason);
        }
        if (!notified.isEmpty()) {
            bounceNotified(mail, notified, statusAndReason, outcome);
        }
    }

    /** RFC 3461 section 5.2: a failure DSN only to a sender, and only for recipients whose NOTIFY (if any) has FAILURE. */
    private static List<MailAddress> wantingFailureDsn(Mail mail, Collection<MailAddress> recipients) {
        if (mail.getMaybeSender().isNullSender()) {
            return List.of();
        }
        Map<MailAddress, DsnParameters.RecipientDsnParameters> requested = mail.dsnParameters()
            .map(DsnParameters::getRcptParameters).map(Map::copyOf).orElse(Map.of());
        return recipients.stream()
            .filter(recipient -> Optional.ofNullable(requested.get(recipient))
                .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .map(notify -> notify.contains(DsnParameters.Notify.FAILURE))
                .orElse(true))
            .collect(Collectors.toList());
    }

    private void bounceNotified(Mail mail, Collection<MailAddress> recipients, String statusAndReason,
                                List<Attribute> outcome) throws MessagingException {
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
