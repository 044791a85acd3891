package org.jamestls.tlsrpt;

import java.util.Date;
import java.util.Properties;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.ParseException;
import javax.mail.util.ByteArrayDataSource;

import org.apache.james.core.MailAddress;

/**
 * A report as mail (RFC 8460 §5.3): {@code multipart/report; report-type="tlsrpt"} with a short text part and the
 * gzipped JSON as {@code application/tlsrpt+gzip}, named {@code <submitter>!<policy-domain>!<begin>!<end>!<unique>.json.gz}
 * (§5.1, Unix seconds of the date-range); the headers {@code TLS-Report-Domain}, {@code TLS-Report-Submitter}, the
 * Subject {@code Report Domain: <policy-domain> Submitter: <submitter> Report-ID: <<report-id>>}, and
 * {@code TLS-Required: No} (RFC 8689: deliver it even where TLS fails, as §3 demands), {@code Auto-Submitted:
 * auto-generated}. A {@code javax.mail} message, for {@code MailetContext.sendMail}: James queues, retries and signs
 * it like any mail (§3 wants reports DKIM-signed: configure DKIM signing for the {@code tlsRptFrom} domain).
 */
public final class ReportMessage {
    public static final String MEDIA_TYPE = "application/tlsrpt+gzip";
    public static final String REPORT_DOMAIN_HEADER = "TLS-Report-Domain";
    public static final String REPORT_SUBMITTER_HEADER = "TLS-Report-Submitter";

    private ReportMessage() {
    }

    /** {@code multipart/report} with the report-type parameter, which javax.mail's constructor cannot set. */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws ParseException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "tlsrpt");
            contentType = type.toString();
        }
    }

    /**
     * @param summary the text of the human-readable part
     * @param gzip the gzipped report
     */
    public static MimeMessage build(ReportIdentity identity, MailAddress from, MailAddress to, ReportPeriod period,
                                    String policyDomain, String reportId, String summary, byte[] gzip)
            throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress(from.asString()));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to.asString()));
        message.setSentDate(new Date());
        message.setSubject("Report Domain: " + policyDomain + " Submitter: " + identity.submitter()
            + " Report-ID: <" + reportId + ">", "us-ascii");
        message.setHeader(REPORT_DOMAIN_HEADER, policyDomain);
        message.setHeader(REPORT_SUBMITTER_HEADER, identity.submitter());
        message.setHeader("TLS-Required", "No");
        message.setHeader("Auto-Submitted", "auto-generated");

        MimeBodyPart text = new MimeBodyPart();
        text.setText(summary, "us-ascii");
        MimeBodyPart report = new MimeBodyPart();
        report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzip, MEDIA_TYPE)));
        report.setHeader("Content-Type", MEDIA_TYPE);
        report.setHeader("Content-Transfer-Encoding", "base64");
        report.setDisposition(Part.ATTACHMENT);
        report.setFileName(fileName(identity, period, policyDomain, reportId));

        MimeMultipart multipart = new ReportMultipart();
        multipart.addBodyPart(text);
        multipart.addBodyPart(report);
        message.setContent(multipart);
        message.saveChanges();
        return message;
    }

    /** §5.1: {@code sender "!" policy-domain "!" begin-timestamp "!" end-timestamp "!" unique-id ".json.gz"}. */
    public static String fileName(ReportIdentity identity, ReportPeriod period, String policyDomain, String reportId) {
        return identity.submitter() + "!" + policyDomain + "!" + period.start().getEpochSecond() + "!"
            + period.reportedEnd().getEpochSecond() + "!" + ReportIdentity.uniquePart(reportId) + ".json.gz";
    }

    /** Whether {@code message} is a TLS report: report mail must not be counted in the reports (RFC 8460 §3). */
    public static boolean isReport(MimeMessage message) throws MessagingException {
        return message.getHeader(REPORT_DOMAIN_HEADER) != null && message.getHeader(REPORT_SUBMITTER_HEADER) != null;
    }
}
