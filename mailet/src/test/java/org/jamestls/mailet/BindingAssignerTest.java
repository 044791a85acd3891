package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamestls.policy.BindingSelector;
import org.jamestls.policy.TlsPolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindingAssignerTest {
    private static final String POLICY = "<tlsPolicy>"
        + "<bindingGroup name='pool'><binding name='p1' bindAddress='127.0.0.51'/><binding name='p2' bindAddress='127.0.0.52'/></bindingGroup>"
        + "<binding name='solo' bindAddress='127.0.0.53'/>"
        + "</tlsPolicy>";

    /** Selection itself, whoever sent the header (who may send it: {@link BindingHeaderTrustTest}). */
    private final BindingAssigner assigner = new BindingAssigner(selector(), Optional.of("X-Binding"),
        BindingHeaderTrust.anyone());

    @ParameterizedTest(name = "attribute={0} header={1} -> {2}")
    @CsvSource(nullValues = "-", value = {
        "solo, -, solo",
        "-, solo, solo",
        "solo, p1, solo",      // the attribute wins over the header
        "-, ' solo ', solo",   // surrounding spaces are not part of the name
        "-, '\r\n solo', solo", // a folded value is unfolded
        "-, 'so\r\n lo', -",     // ... to 'so lo', no such binding
        "-, nosuch, -",        // unknown: no binding, global scopes apply
        "-, -, -"
    })
    void attributeThenHeaderDecideTheBinding(String attribute, String header, String expected) throws Exception {
        Mail mail = mail(attribute, header);

        assigner.assign(mail);

        assertThat(selected(mail)).isEqualTo(Optional.ofNullable(expected));
        assertThat(mail.getMessage().getHeader("X-Binding")).as("header never leaves").isNull();
    }

    @Test
    void groupNameTakesItsBindingsInTurn() throws Exception {
        Mail first = mail(null, "pool");
        Mail second = mail(null, "pool");
        Mail third = mail(null, "pool");

        assigner.assign(first);
        assigner.assign(second);
        assigner.assign(third);

        assertThat(selected(first)).isNotEqualTo(selected(second));
        assertThat(selected(third)).isEqualTo(selected(first));
        assertThat(selected(first).orElseThrow()).isIn("p1", "p2");
    }

    @Test
    void hostileHeaderValueIsTreatedAsAnUnknownName() throws Exception {
        Mail mail = mail(null, "x".repeat(10_000));

        assigner.assign(mail);

        assertThat(selected(mail)).isEmpty();
        assertThat(mail.getMessage().getHeader("X-Binding")).isNull();
    }

    private static Optional<String> selected(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, BindingAssigner.SELECTED_BINDING, String.class);
    }

    private static Mail mail(String attribute, String header) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("body");
        if (header != null) {
            message.addHeader("X-Binding", header);
        }
        MailImpl mail = MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test")
            .mimeMessage(message).build();
        if (attribute != null) {
            mail.setAttribute(new Attribute(BindingAssigner.REQUESTED_BINDING, AttributeValue.of(attribute)));
        }
        return mail;
    }

    static BindingSelector selector() {
        try {
            return new BindingSelector(TlsPolicyParser.parse(
                new ByteArrayInputStream(POLICY.getBytes(StandardCharsets.UTF_8)), "test-policy.xml"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
