package org.jamestls.delivery.settle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.Mail;
import org.jamestls.cache.TimedCache;

/**
 * What this James process recorded on a queue item it had to hand back to its queue ({@code RETRY}) because the queue
 * refused the re-enqueue: the recipients still to deliver, the mail's attributes (retry count, pending copies) and
 * when it is due. A memory queue re-enqueues the changed mail at once; a JMS queue rolls back and redelivers the
 * original, recipients that already accepted it included. When the item comes back, {@link #restore} puts the
 * recorded state back, so neither queue makes a recipient get the mail twice, and a mail back early waits for its
 * due time instead of being delivered again at once. Bounded (10,000 items, a day each); lost with the process.
 */
public final class HandBackLedger {
    static final int MAX_ITEMS = 10_000;
    static final Duration LONGEST_LIFE = Duration.ofDays(1);

    private static final class Recorded {
        final List<MailAddress> recipients;
        final List<Attribute> attributes;
        final Instant due;

        Recorded(List<MailAddress> recipients, List<Attribute> attributes, Instant due) {
            this.recipients = recipients;
            this.attributes = attributes;
            this.due = due;
        }
    }

    private final TimedCache<String, Recorded> items;
    private final Clock clock;

    public HandBackLedger(Clock clock) {
        this.clock = clock;
        this.items = TimedCache.create(MAX_ITEMS, LONGEST_LIFE, clock);
    }

    /** Records {@code mail} as it is now (recipients, attributes), due at {@code due}. */
    public void remember(Mail mail, Instant due) {
        items.put(mail.getName(), new Recorded(List.copyOf(mail.getRecipients()),
            mail.attributes().collect(Collectors.toList()), due), LONGEST_LIFE);
    }

    /**
     * Puts what was recorded for this mail's name back on it and forgets it; returns when it is due (empty when
     * nothing was recorded).
     */
    public Optional<Instant> restore(Mail mail) {
        Optional<Recorded> recorded = items.get(mail.getName());
        recorded.ifPresent(state -> {
            items.remove(mail.getName());
            mail.setRecipients(state.recipients);
            mail.removeAllAttributes();
            state.attributes.forEach(mail::setAttribute);
        });
        return recorded.map(state -> state.due);
    }

    Instant now() {
        return clock.instant();
    }

    long size() {
        return items.size();
    }
}
