package org.jamestls.tlsrpt;

import java.net.URI;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;

/**
 * How reports leave: the mailet implements {@link #mail} with {@code MailetContext.sendMail} (with a null reverse
 * path, so a report that cannot be delivered makes no DSN) and {@link #post} with {@link HttpsReportPoster}.
 */
public interface ReportTransport {
    /** Hands {@code report} to James for {@code recipient}; returning means James took it (queued). */
    void mail(MimeMessage report, MailAddress recipient) throws ReportDeliveryException;

    /** POSTs the gzipped report; returning means the endpoint answered 2xx. */
    void post(URI endpoint, byte[] gzippedReport) throws ReportDeliveryException;
}
