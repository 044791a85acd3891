package org.jamestls.mailet;

import java.util.Collection;
import java.util.LinkedHashMap;
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

    public void enqueuePerDomain(Mail mail) throws MailQueue.MailQueueException {
        String originalName = mail.getName();
        for (Map.Entry<Domain, Collection<MailAddress>> entry : byDomain(mail.getRecipients()).entrySet()) {
            mail.setRecipients(entry.getValue());
            mail.setName(originalName + NAME_JUNCTION + entry.getKey().asString());
            // the queue stores its own copy, so the same Mail object can be reused for the next domain
            queue.enQueue(mail);
        }
    }

    static Map<Domain, Collection<MailAddress>> byDomain(Collection<MailAddress> recipients) {
        return recipients.stream().collect(Collectors.groupingBy(MailAddress::getDomain, LinkedHashMap::new,
            Collectors.toCollection(java.util.ArrayList::new)));
    }
}
