package org.jamestls.delivery.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamestls.smtpin.RequireTlsMark;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the sender asked, from the REQUIRETLS mark and the TLS-Required header: REQUIRETLS wins. */
class SenderTlsTest {
    @ParameterizedTest(name = "[{index}] mark={0}, TLS-Required: \"{1}\" -> {2}")
    @CsvSource(nullValues = "-", value = {
        "-,     -,         NONE",
        "-,     No,        TLS_REQUIRED_NO",
        "-,     no,        TLS_REQUIRED_NO",
        "-,     ' NO ',    TLS_REQUIRED_NO",
        "-,     Yes,       NONE",
        "-,     no thanks, NONE",
        "true,  -,         REQUIRETLS",
        "true,  No,        REQUIRETLS",
        "'true', No,       REQUIRETLS",
        "false, No,        TLS_REQUIRED_NO"
    })
    void requireTlsWinsOverTheHeader(String mark, String header, SenderTls expected) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("body");
        if (header != null) {
            message.addHeader(SenderTls.HEADER, header);
        }
        Mail mail = MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test")
            .mimeMessage(message).build();
        if ("true".equals(mark)) {
            RequireTlsMark.mark(mail);
        } else if (mark != null) {
            mail.setAttribute(new Attribute(RequireTlsMark.ATTRIBUTE, AttributeValue.of(mark)));
        }

        assertThat(SenderTls.of(mail)).isEqualTo(expected);
    }
}
