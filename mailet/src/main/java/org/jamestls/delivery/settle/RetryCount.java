package org.jamestls.delivery.settle;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/** The retry count on a deferred mail, under the attribute name James's RemoteDelivery uses. */
public final class RetryCount {
    public static final AttributeName DELIVERY_RETRY_COUNT = AttributeName.of("delivery_retry_count");

    private RetryCount() {
    }

    public static int of(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, DELIVERY_RETRY_COUNT, Integer.class).orElse(0);
    }

    public static void set(Mail mail, int retries) {
        mail.setAttribute(new Attribute(DELIVERY_RETRY_COUNT, AttributeValue.of(retries)));
    }
}
