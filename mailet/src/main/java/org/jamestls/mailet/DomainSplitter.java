package org.jamestls.mailet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

/** Queues one copy of a mail per recipient domain, named like RemoteDelivery's ({@code name-to-domain}). */
public class DomainSplitter {
    static final String NAME_JUNCTION = "-to-";

    private final MailQueue queue;

    public DomainSplitter(MailQueue queue) {
        this.queue = queue;
    }

    /**
     * Queues one copy per domain. Atomic for the recipients: when a copy cannot be queued, the mail is left with its
     * own name and exactly the recipients no queued copy holds (the copies already queued stay queued), and the
     * failure is thrown, so whoever handles it next neither loses nor doubles a recipient.
     */
    public void enqueuePerDomain(Mail mail) throws MailQueue.MailQueueException {
        String originalName = mail.getName();
        List<MailAddress> notQueued = new ArrayList<>(mail.getRecipients());
        try {
            for (Map.Entry<Domain, Collection<MailAddress>> entry : byDomain(mail.getRecipients()).entrySet()) {
                mail.setRecipients(entry.getValue());
                mail.setName(originalName + NAME_JUNCTION + entry.getKey().asString());
                // the queue stores its own copy, so the same Mail object can be reused for the next domain
                queue.enQueue(mail);
                notQueued.removeAll(entry.getValue());
            }
        } finally {
            mail.setName(originalName);
            mail.setRecipients(notQueued);
        }
    }

    static Map<Domain, Collection<MailAddress>> byDomain(Collection<MailAddress> recipients) {
        return recipients.stream().collect(Collectors.groupingBy(MailAddress::getDomain, LinkedHashMap::new,
            Collectors.toCollection(ArrayList::new)));
    }
}
