package org.jamestls.tlsrpt;

/** A report could not be handed to James or POSTed; the message says why (it goes to the log and WebAdmin). */
public class ReportDeliveryException extends Exception {
    public ReportDeliveryException(String message) {
        super(message);
    }

    public ReportDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
