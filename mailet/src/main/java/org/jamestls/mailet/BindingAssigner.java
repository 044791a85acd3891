package org.jamestls.mailet;

import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamestls.policy.BindingSelection;
import org.jamestls.policy.BindingSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns a mail to a binding when it enters the mailet: the {@code jamestls.binding} attribute, or else
 * the binding header when {@link BindingHeaderTrust} trusts its sender. The header is always removed, so it never
 * reaches the receiver; an untrusted one is logged and ignored. A group name picks one of its bindings; the pick
 * is stored on the mail so retries keep the same outbound identity.
 */
public class BindingAssigner {
    private static final Logger LOGGER = LoggerFactory.getLogger(BindingAssigner.class);
    public static final AttributeName REQUESTED_BINDING = AttributeName.of("jamestls.binding");
    public static final AttributeName SELECTED_BINDING = AttributeName.of("jamestls.selected-binding");
    private static final int MAX_LOGGED_NAME = 100;

    private final BindingSelector selector;
    private final Optional<String> bindingHeader;
    private final BindingHeaderTrust headerTrust;

    public BindingAssigner(BindingSelector selector, Optional<String> bindingHeader, BindingHeaderTrust headerTrust) {
        this.selector = selector;
        this.bindingHeader = bindingHeader;
        this.headerTrust = headerTrust;
    }

    public void assign(Mail mail) throws MessagingException {
        Optional<String> fromHeader = takeHeader(mail).filter(value -> isTrusted(mail, value));
        Optional<String> requested = AttributeUtils.getValueAndCastFromMail(mail, REQUESTED_BINDING, String.class)
            .or(() -> fromHeader);
        BindingSelection selection = selector.select(requested.map(String::trim).orElse(null));
        switch (selection.outcome()) {
            case SELECTED:
                mail.setAttribute(new Attribute(SELECTED_BINDING, AttributeValue.of(selection.binding().orElseThrow().name())));
                break;
            case UNKNOWN:
                LOGGER.warn("Mail {} asks for unknown binding or group '{}'; it goes out with no binding (global scopes apply)",
                    mail.getName(), printable(selection.requestedName().orElse("")));
                mail.removeAttribute(SELECTED_BINDING);
                break;
            default:
                mail.removeAttribute(SELECTED_BINDING);
        }
    }

    private Optional<String> takeHeader(Mail mail) throws MessagingException {
        if (bindingHeader.isEmpty()) {
            return Optional.empty();
        }
        MimeMessage message = mail.getMessage();
        String[] values = message.getHeader(bindingHeader.get());
        if (values == null || values.length == 0) {
            return Optional.empty();
        }
        message.removeHeader(bindingHeader.get());
        // a folded value (RFC 5322 2.2.3) names the same binding as its unfolded form
        return Optional.of(MimeUtility.unfold(values[0]));
    }

    private boolean isTrusted(Mail mail, String value) {
        Optional<String> why = headerTrust.whyUntrusted(mail);
        why.ifPresent(reason -> LOGGER.warn("Untrusted binding header ignored and removed: mail={} sender={}"
            + " remoteAddress={} header={} value='{}' reason={} ({}: {})", mail.getName(),
            mail.getMaybeSender().asPrettyString(), mail.getRemoteAddr(), bindingHeader.orElseThrow(),
            printable(value.trim()), reason, BindingHeaderTrust.PARAMETER, headerTrust));
        return why.isEmpty();
    }

    private static String printable(String name) {
        String cleaned = name.replaceAll("[^\\x20-\\x7E]", "?");
        return cleaned.length() > MAX_LOGGED_NAME ? cleaned.substring(0, MAX_LOGGED_NAME) + "..." : cleaned;
    }
}
