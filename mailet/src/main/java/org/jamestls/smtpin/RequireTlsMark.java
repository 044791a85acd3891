package org.jamestls.smtpin;

import java.util.Locale;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The mail attribute {@code jamestls.requiretls}: the sender asked for REQUIRETLS (RFC 8689). A Boolean, so it
 * goes through every James mail queue (the persistent ones store attributes as JSON) and is copied by
 * {@link Mail#duplicate()}.
 *
 * <p>{@link RequireTlsHandler} sets it to {@code true} on mail received with {@code MAIL FROM:<...> REQUIRETLS}.
 * Mail that enters another way (a mailet, LMTP, JMAP) can be marked by the operator with James's stock
 * {@code SetMailAttribute} mailet ({@code <jamestls.requiretls>true</jamestls.requiretls>}), which sets the String
 * {@code "true"}: both count.
 */
public final class RequireTlsMark {
    public static final AttributeName ATTRIBUTE = AttributeName.of("jamestls.requiretls");

    private RequireTlsMark() {
    }

    public static void mark(Mail mail) {
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(true)));
    }

    /** True for the Boolean {@code true} or the String {@code "true"} (any case); anything else is unmarked. */
    public static boolean isMarked(Mail mail) {
        Optional<Object> value = mail.getAttribute(ATTRIBUTE).map(attribute -> attribute.getValue().value());
        return value.map(v -> Boolean.TRUE.equals(v)
            || v instanceof String && ((String) v).trim().toLowerCase(Locale.ROOT).equals("true")).orElse(false);
    }
}
