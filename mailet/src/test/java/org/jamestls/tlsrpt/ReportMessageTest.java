package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

/** The report mail of RFC 8460 section 5.3, written out and parsed back as a receiver would. */
class ReportMessageTest {
    private static final ReportPeriod DAY = ReportPeriod.restOfDay(Instant.parse("2016-04-01T00:00:00Z"));
    private static final String REPORT_ID = "20160401T000000Z.5065427c23d347ca@company-x.example";
    private static final byte[] JSON = "{\"report-id\":\"20160401T000000Z.5065427c23d347ca@company-x.example\"}"
        .getBytes(StandardCharsets.UTF_8);

    private static MimeMessage sentAndReceived() throws Exception {
        MimeMessage built = ReportMessage.build(TlsReportJsonTest.IDENTITY, new MailAddress("tlsrpt@company-x.example"),
            new MailAddress("tls-reports@company-y.example"), DAY, "company-y.example", REPORT_ID,
            "This is an aggregate TLS report from Company-X.", TlsReportJson.gzip(JSON));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        built.writeTo(wire);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(wire.toByteArray()));
    }

    @Test
    void headersOfSection5_3() throws Exception {
        MimeMessage message = sentAndReceived();

        assertThat(message.getSubject())
            .isEqualTo("Report Domain: company-y.example Submitter: company-x.example Report-ID: <" + REPORT_ID + ">");
        assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo("company-y.example");
        assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("company-x.example");
        assertThat(message.getHeader("TLS-Required", null)).isEqualTo("No");
        assertThat(message.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
        assertThat(message.getFrom()[0].toString()).isEqualTo("tlsrpt@company-x.example");
        assertThat(message.getAllRecipients()[0].toString()).isEqualTo("tls-reports@company-y.example");
        assertThat(message.getMessageID()).isNotBlank();
        assertThat(message.getSentDate()).isNotNull();
        assertThat(ReportMessage.isReport(message)).isTrue();
    }

    @Test
    void aMultipartReportWithATextPartAndTheGzippedJson() throws Exception {
        MimeMessage message = sentAndReceived();
        ContentType type = new ContentType(message.getContentType());
        MimeMultipart multipart = (MimeMultipart) message.getContent();

        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        assertThat(multipart.getCount()).isEqualTo(2);
        BodyPart text = multipart.getBodyPart(0);
        assertThat(new ContentType(text.getContentType()).getBaseType()).isEqualTo("text/plain");
        assertThat(text.getContent()).isEqualTo("This is an aggregate TLS report from Company-X.");

        BodyPart report = multipart.getBodyPart(1);
        assertThat(new ContentType(report.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(report.getHeader("Content-Transfer-Encoding")).containsExactly("base64");
        assertThat(report.getDisposition()).isEqualTo("attachment");
        assertThat(report.getFileName())
            .isEqualTo("company-x.example!company-y.example!1459468800!1459555199!5065427c23d347ca.json.gz");
        try (InputStream in = new GZIPInputStream(report.getInputStream())) {
            assertThat(in.readAllBytes()).isEqualTo(JSON);
        }
    }

    @Test
    void ordinaryMailIsNotAReport() throws Exception {
        MimeMessage plain = new MimeMessage(Session.getInstance(new Properties()));
        plain.setText("hello");
        plain.setHeader("TLS-Report-Domain", "x.example");

        assertThat(ReportMessage.isReport(plain)).isFalse();
    }
}
