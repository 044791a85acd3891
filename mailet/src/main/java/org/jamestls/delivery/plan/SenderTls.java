package org.jamestls.delivery.plan;

import java.util.Arrays;
import java.util.Locale;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.jamestls.smtpin.RequireTlsMark;

/**
 * What the sender asked of TLS for one mail (RFC 8689), as the planner reads it: REQUIRETLS (the mail is marked, see
 * {@link RequireTlsMark}), the {@code TLS-Required: No} header, or nothing. REQUIRETLS wins over the header, which
 * stays on the message either way. Whether the header counts is the operator's {@code tlsRequiredHeader}, which
 * {@link DeliveryPlanner} applies.
 */
public enum SenderTls {
    /** Nothing asked: the operator's policy and what receivers publish decide. */
    NONE,
    /** {@code MAIL FROM:<...> REQUIRETLS} on intake (or the operator's mark): verified TLS on every hop, or returned. */
    REQUIRETLS,
    /** {@code TLS-Required: No}: ignore receiver-published policies, send even when TLS fails. */
    TLS_REQUIRED_NO;

    /** The header field RFC 8689 section 5 defines; its one value is {@code No}. */
    public static final String HEADER = "TLS-Required";

    /** From the mail's REQUIRETLS mark, else its header (folding and case ignored); a message that cannot be read asks nothing. */
    public static SenderTls of(Mail mail) {
        if (RequireTlsMark.isMarked(mail)) {
            return REQUIRETLS;
        }
        try {
            MimeMessage message = mail.getMessage();
            String[] values = message == null ? null : message.getHeader(HEADER);
            boolean no = values != null && Arrays.stream(values)
                .anyMatch(value -> value.replaceAll("\\s+", "").toLowerCase(Locale.ROOT).equals("no"));
            return no ? TLS_REQUIRED_NO : NONE;
        } catch (MessagingException unreadable) {
            // the delivery itself will report what is wrong with the message
            return NONE;
        }
    }

    /** As attributes and logs spell it: {@code requiretls}, {@code tls-required-no}, {@code none}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
