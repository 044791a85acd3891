package org.jamestls.mailet;

import java.net.URI;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;
import org.jamestls.tlsrpt.HttpsReportPoster;
import org.jamestls.tlsrpt.ReportDeliveryException;
import org.jamestls.tlsrpt.ReportTransport;

/**
 * How TLS reports leave this James: {@code mailto:} reports are handed to James's spool with
 * {@link MailetContext#sendMail} and a null reverse path, so they are queued, retried, signed and relayed like any
 * mail, and one that cannot be delivered produces no DSN (James's DSNBounce and this mailet's bouncer send none for
 * a null sender); {@code https:} reports are POSTed by the {@link HttpsReportPoster}.
 */
final class MailetReportTransport implements ReportTransport {
    private final MailetContext context;
    private final HttpsReportPoster poster;

    MailetReportTransport(MailetContext context, HttpsReportPoster poster) {
        this.context = context;
        this.poster = poster;
    }

    @Override
    public void mail(MimeMessage report, MailAddress recipient) throws ReportDeliveryException {
        try {
            context.sendMail(null, List.of(recipient), report);
        } catch (MessagingException | RuntimeException e) {
            throw new ReportDeliveryException("James did not take the report mail to " + recipient.asString() + ": " + e, e);
        }
    }

    @Override
    public void post(URI endpoint, byte[] gzippedReport) throws ReportDeliveryException {
        poster.post(endpoint, gzippedReport);
    }
}
