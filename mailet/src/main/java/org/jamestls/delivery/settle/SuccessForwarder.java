package org.jamestls.delivery.settle;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Attribute;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;

/**
 * RemoteDelivery's {@code onSuccess}: a copy of each delivered mail, with the TLS outcome attributes and
 * its delivered recipients, goes to the configured processor (audit, archiving, metrics by mailets).
 */
public class SuccessForwarder {
    private final MailetContext mailetContext;
    private final Optional<String> onSuccessProcessor;

    public SuccessForwarder(MailetContext mailetContext, Optional<String> onSuccessProcessor) {
        this.mailetContext = mailetContext;
        this.onSuccessProcessor = onSuccessProcessor;
    }

    /** Whether an onSuccess processor is configured at all (no copy is owed otherwise). */
    public boolean isConfigured() {
        return onSuccessProcessor.isPresent();
    }

    public void forward(Mail mail, Collection<MailAddress> delivered, List<Attribute> outcome) throws MessagingException {
        if (onSuccessProcessor.isEmpty() || delivered.isEmpty()) {
            return;
        }
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(delivered);
            QueueDecision.forgetSettling(copy);
            outcome.forEach(copy::setAttribute);
            mailetContext.sendMail(copy, onSuccessProcessor.get());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }
}
