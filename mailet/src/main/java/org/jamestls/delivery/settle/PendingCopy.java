package org.jamestls.delivery.settle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a queued mail that still has to be handed to a processor after its recipients were settled: the
 * {@code onSuccess} copy of the delivered recipients, or a bounce of the failed ones with its status. It is written on
 * the queued mail ({@link #PENDING}) before it is handed over, so a copy that cannot be handed over now (a
 * {@code mail.duplicate()} or {@code sendMail} failure) is handed over on the mail's next pass instead of being lost,
 * and never needs the recipients to be delivered again. Immutable.
 */
public final class PendingCopy {
    private static final Logger LOGGER = LoggerFactory.getLogger(PendingCopy.class);
    /** The copies a queued mail still owes, as a list of maps of strings (through JSON queues unchanged). */
    public static final AttributeName PENDING = AttributeName.of("jamestls.settle.pending");

    public enum Kind {
        ON_SUCCESS("on-success"), BOUNCE("bounce");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Optional<Kind> of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    private final Kind kind;
    private final List<MailAddress> recipients;
    private final String statusAndReason;
    private final Map<String, String> outcome;
    private final int failures;

    private PendingCopy(Kind kind, Collection<MailAddress> recipients, String statusAndReason, Map<String, String> outcome,
                        int failures) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.recipients = List.copyOf(recipients);
        this.statusAndReason = Objects.requireNonNull(statusAndReason, "statusAndReason");
        this.outcome = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outcome));
        this.failures = failures;
    }

    /** The delivered recipients' copy for the onSuccess processor, with the outcome attributes. */
    public static PendingCopy onSuccess(Collection<MailAddress> delivered, List<Attribute> outcome) {
        return new PendingCopy(Kind.ON_SUCCESS, delivered, "", asStrings(outcome), 0);
    }

    /** A bounce of {@code recipients}; {@code statusAndReason} starts with the enhanced status ({@code 5.1.1 ...}). */
    public static PendingCopy bounce(Collection<MailAddress> recipients, String statusAndReason, List<Attribute> outcome) {
        return new PendingCopy(Kind.BOUNCE, recipients, statusAndReason, asStrings(outcome), 0);
    }

    public Kind kind() {
        return kind;
    }

    public List<MailAddress> recipients() {
        return recipients;
    }

    public String statusAndReason() {
        return statusAndReason;
    }

    /** How many times handing it over failed. */
    public int failures() {
        return failures;
    }

    PendingCopy failedOnce() {
        return new PendingCopy(kind, recipients, statusAndReason, outcome, failures + 1);
    }

    List<Attribute> outcomeAttributes() {
        return outcome.entrySet().stream()
            .map(entry -> new Attribute(AttributeName.of(entry.getKey()), AttributeValue.of(entry.getValue())))
            .collect(Collectors.toList());
    }

    /** Hands this copy to its processor; throws whatever the duplicate or the hand-over throws. */
    void handOver(Mail mail, SuccessForwarder forwarder, Bouncer bouncer) throws MessagingException {
        if (kind == Kind.ON_SUCCESS) {
            forwarder.forward(mail, recipients, outcomeAttributes());
        } else {
            bouncer.bounce(mail, recipients, statusAndReason, outcomeAttributes());
        }
    }

    /** The copies recorded on {@code mail}; an entry that cannot be read is logged and left out. */
    public static List<PendingCopy> readFrom(Mail mail) {
        Optional<Attribute> attribute = mail.getAttribute(PENDING);
        if (attribute.isEmpty()) {
            return List.of();
        }
        List<PendingCopy> copies = new ArrayList<>();
        Object value = attribute.get().getValue().value();
        if (!(value instanceof Collection)) {
            LOGGER.warn("Mail {}: ignoring unreadable {} attribute {}", mail.getName(), PENDING.asString(), value);
            return List.of();
        }
        for (Object element : (Collection<?>) value) {
            Optional<PendingCopy> copy = element instanceof AttributeValue ? parse(((AttributeValue<?>) element).value())
                : Optional.empty();
            if (copy.isPresent()) {
                copies.add(copy.get());
            } else {
                LOGGER.warn("Mail {}: ignoring unreadable pending copy {}", mail.getName(), element);
            }
        }
        return copies;
    }

    /** Records {@code copies} on {@code mail} (removes the attribute when there are none). */
    public static void writeTo(Mail mail, List<PendingCopy> copies) {
        if (copies.isEmpty()) {
            mail.removeAttribute(PENDING);
            return;
        }
        List<AttributeValue<?>> values = copies.stream().map(PendingCopy::toValue).collect(Collectors.toList());
        mail.setAttribute(new Attribute(PENDING, AttributeValue.of(values)));
    }

    private AttributeValue<?> toValue() {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        map.put("kind", AttributeValue.of(kind.label()));
        map.put("recipients", AttributeValue.of(recipients.stream().map(r -> AttributeValue.of(r.asString()))
            .collect(Collectors.toList())));
        map.put("status", AttributeValue.of(statusAndReason));
        Map<String, AttributeValue<?>> outcomeValues = new LinkedHashMap<>();
        outcome.forEach((name, text) -> outcomeValues.put(name, AttributeValue.of(text)));
        map.put("outcome", AttributeValue.of(outcomeValues));
        map.put("failures", AttributeValue.of(failures));
        return AttributeValue.of(map);
    }

    private static Optional<PendingCopy> parse(Object value) {
        if (!(value instanceof Map)) {
            return Optional.empty();
        }
        Map<?, ?> map = (Map<?, ?>) value;
        try {
            Optional<Kind> kind = Kind.of(String.valueOf(unwrap(map.get("kind"))));
            List<MailAddress> recipients = new ArrayList<>();
            for (Object recipient : (Collection<?>) unwrap(map.get("recipients"))) {
                recipients.add(new MailAddress(String.valueOf(unwrap(recipient))));
            }
            Map<String, String> outcome = new LinkedHashMap<>();
            ((Map<?, ?>) unwrap(map.get("outcome"))).forEach((name, text) ->
                outcome.put(String.valueOf(name), String.valueOf(unwrap(text))));
            int failures = ((Number) unwrap(map.get("failures"))).intValue();
            String status = String.valueOf(unwrap(map.get("status")));
            return kind.map(k -> new PendingCopy(k, recipients, status, outcome, failures));
        } catch (RuntimeException | javax.mail.internet.AddressException e) {
            return Optional.empty();
        }
    }

    private static Object unwrap(Object value) {
        return value instanceof AttributeValue ? ((AttributeValue<?>) value).value() : value;
    }

    private static Map<String, String> asStrings(List<Attribute> attributes) {
        Map<String, String> strings = new LinkedHashMap<>();
        attributes.forEach(attribute -> strings.put(attribute.getName().asString(),
            String.valueOf(attribute.getValue().value())));
        return strings;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PendingCopy)) {
            return false;
        }
        PendingCopy other = (PendingCopy) o;
        return kind == other.kind && recipients.equals(other.recipients) && statusAndReason.equals(other.statusAndReason)
            && outcome.equals(other.outcome) && failures == other.failures;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, recipients, statusAndReason, outcome, failures);
    }

    @Override
    public String toString() {
        return kind.label() + " " + recipients + (statusAndReason.isEmpty() ? "" : " " + statusAndReason)
            + (failures == 0 ? "" : " (" + failures + " failed hand-over(s))");
    }
}
