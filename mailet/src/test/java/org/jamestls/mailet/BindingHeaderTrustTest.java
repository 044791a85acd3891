package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamestls.testing.FakeDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who may choose a binding: the attribute always counts; the header counts when {@code bindingHeaderFrom} trusts
 * how James received the mail. Policy: bindings {@code solo}, {@code p1}, {@code p2} (group {@code pool}).
 * James's smtpserver.xml authorizes {@code 127.0.0.0/8} and {@code 192.0.2.0/24}, as in the samples plus one.
 */
class BindingHeaderTrustTest {
    private static final List<String> AUTHORIZED_ADDRESSES = List.of("127.0.0.0/8", "192.0.2.0/24");

    /** How James received the mail: who authenticated, from which address, over SMTP or made by a mailet. */
    enum Received {
        AUTHENTICATED("alice@users.test", "127.0.0.1"),
        AUTHENTICATED_INJECTOR("injector@ops.test", "192.0.2.9"),
        AUTHORIZED_NETWORK(null, "192.0.2.7"),
        OTHER_NETWORK(null, "203.0.113.9"),
        IPV6_NETWORK(null, "2001:db8::25"),
        /** A mail a mailet created (e.g. a Sieve redirect): MailImpl's default remote address, no SMTP session. */
        INSIDE_JAMES(null, null);

        final String authUser;
        final String remoteAddress;

        Received(String authUser, String remoteAddress) {
            this.authUser = authUser;
            this.remoteAddress = remoteAddress;
        }
    }

    @ParameterizedTest(name = "bindingHeaderFrom={0}: {1} via {2} -> {3}")
    @CsvSource(nullValues = "-", value = {
        // the default: the operator's injectors on the authorized networks, no end user
        "authorizedAddresses, header,    AUTHENTICATED,          -",
        "authorizedAddresses, header,    AUTHENTICATED_INJECTOR, -",
        "authorizedAddresses, header,    AUTHORIZED_NETWORK,     solo",
        "authorizedAddresses, header,    OTHER_NETWORK,          -",
        "authorizedAddresses, header,    INSIDE_JAMES,           -",
        "authorizedAddresses, attribute, AUTHENTICATED,          solo",
        "authorizedAddresses, attribute, AUTHORIZED_NETWORK,     solo",
        "authorizedAddresses, attribute, OTHER_NETWORK,          solo",
        "authorizedAddresses, attribute, INSIDE_JAMES,           solo",
        // authenticated users, all or one
        "authenticated,       header,    AUTHENTICATED,          solo",
        "authenticated,       header,    AUTHORIZED_NETWORK,     -",
        "user:Injector@ops.test, header, AUTHENTICATED_INJECTOR, solo",
        "user:injector@ops.test, header, AUTHENTICATED,          -",
        // explicit networks instead of (or besides) smtpserver.xml's
        "203.0.113.0/24,      header,    OTHER_NETWORK,          solo",
        "203.0.113.0/24,      header,    AUTHORIZED_NETWORK,     -",
        "'203.0.113.9, authenticated', header, AUTHENTICATED,    solo",
        "2001:db8::/32,       header,    IPV6_NETWORK,           solo",
        "203.0.113.*,         header,    OTHER_NETWORK,          solo",
        // everyone, as before the parameter existed, and no one
        "anyone,              header,    INSIDE_JAMES,           solo",
        "anyone,              header,    OTHER_NETWORK,          solo",
        "nobody,              header,    AUTHORIZED_NETWORK,     -",
        "nobody,              attribute, OTHER_NETWORK,          solo"
    })
    void attributeAlwaysCountsTheHeaderOnlyFromWhomTheParameterTrusts(String bindingHeaderFrom, String via,
            Received received, String expected) throws Exception {
        Mail mail = mail(received);
        if (via.equals("header")) {
            mail.getMessage().addHeader("X-Binding", "solo");
        } else {
            mail.setAttribute(new Attribute(BindingAssigner.REQUESTED_BINDING, AttributeValue.of("solo")));
            mail.getMessage().addHeader("X-Binding", "p1");
        }
        mail.getMessage().saveChanges();

        assigner(bindingHeaderFrom).assign(mail);

        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BindingAssigner.SELECTED_BINDING, String.class))
            .isEqualTo(Optional.ofNullable(expected));
        assertThat(mail.getMessage().getHeader("X-Binding")).as("the header never leaves, trusted or not").isNull();
    }

    @Test
    void theReasonNamesWhoSentIt() throws Exception {
        BindingHeaderTrust trust = trust("authorizedAddresses");

        assertThat(trust.whyUntrusted(mail(Received.AUTHENTICATED))).contains("SMTP AUTH user alice@users.test is not trusted");
        assertThat(trust.whyUntrusted(mail(Received.OTHER_NETWORK)))
            .contains("unauthenticated mail from 203.0.113.9 is not from a trusted network");
        assertThat(trust.whyUntrusted(mail(Received.INSIDE_JAMES))).hasValueSatisfying(why -> assertThat(why)
            .contains("not received over SMTP"));
        assertThat(trust.whyUntrusted(mail(Received.AUTHORIZED_NETWORK))).isEmpty();
    }

    @Test
    void smtpServerXmlIsReadOnlyWhenTheParameterNamesIt() throws Exception {
        BindingHeaderTrust.AuthorizedAddressesSource unreadable = () -> {
            throw new AssertionError("smtpserver.xml read although not named");
        };

        assertThat(BindingHeaderTrust.parse("192.0.2.0/24, authenticated", unreadable, new FakeDns())
            .whyUntrusted(mail(Received.AUTHORIZED_NETWORK))).isEmpty();
    }

    @ParameterizedTest(name = "<bindingHeaderFrom>{0}</bindingHeaderFrom>: {1}")
    @CsvSource(delimiter = '|', value = {
        "''|the list is empty",
        "' , '|the list is empty",
        "anyone, authenticated|anyone must stand alone",
        "nobody 10.0.0.1|nobody must stand alone",
        "user:|user: needs a user name",
        "authorisedAddresses|'authorisedAddresses' is neither a keyword nor an IP address or network",
        "relay.example.org|'relay.example.org' is neither a keyword nor an IP address or network",
        "10.0.0.0/x|'10.0.0.0/x' is neither a keyword nor an IP address or network",
        "300.1.2.3|'300.1.2.3' is neither a keyword nor an IP address or network"
    })
    void badValuesAreRefusedNamingTheEntry(String value, String message) {
        assertThatThrownBy(() -> trust(value)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    private static BindingAssigner assigner(String bindingHeaderFrom) throws Exception {
        return new BindingAssigner(BindingAssignerTest.selector(), Optional.of("X-Binding"), trust(bindingHeaderFrom));
    }

    private static BindingHeaderTrust trust(String bindingHeaderFrom) throws Exception {
        return BindingHeaderTrust.parse(bindingHeaderFrom, () -> AUTHORIZED_ADDRESSES, new FakeDns());
    }

    private static Mail mail(Received received) throws Exception {
        MailImpl.Builder builder = MailImpl.builder().name("m-" + received).sender("sender@source.test")
            .addRecipient("rcpt@dest.test").mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("b"));
        if (received.remoteAddress != null) {
            builder.remoteAddr(received.remoteAddress)
                .addAttribute(new Attribute(Mail.SMTP_SESSION_ID, AttributeValue.of("SID-" + received)));
        }
        if (received.authUser != null) {
            builder.addAttribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of(received.authUser)));
        }
        return builder.build();
    }
}
