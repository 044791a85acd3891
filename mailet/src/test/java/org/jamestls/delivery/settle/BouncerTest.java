package org.jamestls.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.DsnParameters.Notify;
import org.apache.mailet.DsnParameters.RecipientDsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamestls.smtpin.RequireTlsMark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.common.collect.ImmutableMap;

/**
 * What the bounce processor gets: the delivery error and, for a REQUIRETLS mail, RET=HDRS (DSNBounce then attaches the
 * headers only) next to the mark that DSNBounce copies onto the DSN. And who gets a DSN: the failed recipients of a
 * mail with a sender, except those whose DSN NOTIFY (RFC 3461) leaves out FAILURE; never the recipients of a
 * null-sender mail (DSNs, TLS reports). Through the bounce processor when one is configured, else through
 * {@code MailetContext.bounce}; nothing at all when no recipient wants one.
 */
class BouncerTest {
    /** What the bounce processor was handed, read at hand-over (the Bouncer disposes of its copy afterwards). */
    private static final class Handed {
        final String processor;
        final Optional<DsnParameters> dsn;
        final boolean marked;
        final Optional<String> deliveryError;

        Handed(Mail mail, String processor) {
            this.processor = processor;
            this.dsn = mail.dsnParameters();
            this.marked = RequireTlsMark.isMarked(mail);
            this.deliveryError = mail.getAttribute(Bouncer.DELIVERY_ERROR).map(a -> (String) a.getValue().value());
        }
    }

    private final List<Handed> handed = new ArrayList<>();
    private final MailetContext context = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
            if (method.getName().equals("sendMail") && args.length == 2) {
                handed.add(new Handed((Mail) args[0], (String) args[1]));
                return null;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    private final Bouncer bouncer = new Bouncer(context, Optional.of("bounces"), "relay.test");

    @Test
    void aRequireTlsMailsDsnReturnsItsHeadersOnlyAndIsMarkedItself() throws Exception {
        Mail mail = mail();
        RequireTlsMark.mark(mail);
        mail.setDsnParameters(DsnParameters.builder().envId(DsnParameters.EnvId.of("env-1"))
            .ret(DsnParameters.Ret.FULL).build().orElseThrow());

        bouncer.bounce(mail, mail.getRecipients(), "5.7.30 REQUIRETLS: no MX qualifies", List.of());

        assertThat(handed).singleElement().satisfies(bounce -> {
            assertThat(bounce.processor).isEqualTo("bounces");
            assertThat(bounce.marked).isTrue();
            assertThat(bounce.dsn.flatMap(DsnParameters::getRetParameter)).contains(DsnParameters.Ret.HDRS);
            assertThat(bounce.dsn.flatMap(DsnParameters::getEnvIdParameter)).contains(DsnParameters.EnvId.of("env-1"));
            assertThat(bounce.deliveryError).contains("5.7.30 REQUIRETLS: no MX qualifies");
        });
        assertThat(mail.dsnParameters().flatMap(DsnParameters::getRetParameter)).as("the queued mail is unchanged")
            .contains(DsnParameters.Ret.FULL);
    }

    @Test
    void anUnmarkedMailsDsnIsAsTheSenderAsked() throws Exception {
        Mail mail = mail();

        bouncer.bounce(mail, mail.getRecipients(), "5.7.10 TLS required", List.of());

        assertThat(handed).singleElement().satisfies(bounce -> {
            assertThat(bounce.marked).isFalse();
            assertThat(bounce.dsn).isEmpty();
        });
    }

    private static Mail mail() throws Exception {
        return MailImpl.builder().name("m").sender("from@source.test").addRecipient(new MailAddress("a@dest.test"))
            .build();
    }

    private static final String A = "a@dest.test";
    private static final String B = "b@dest.test";

    /** sender, NOTIFY of a and b ("-": none given), bounce processor? -> recipients handed on, and which way. */
    static Stream<Arguments> bounces() {
        return Stream.of(
            Arguments.of("from@source.test", "-", "-", true, "processor bounces: [a@dest.test, b@dest.test]"),
            Arguments.of("from@source.test", "-", "-", false, "bounce: [a@dest.test, b@dest.test]"),
            Arguments.of("", "-", "-", true, "nothing"),
            Arguments.of("", "-", "-", false, "nothing"),
            Arguments.of("from@source.test", "NEVER", "NEVER", true, "nothing"),
            Arguments.of("from@source.test", "NEVER", "FAILURE", true, "processor bounces: [b@dest.test]"),
            Arguments.of("from@source.test", "SUCCESS,DELAY", "FAILURE,DELAY", false, "bounce: [b@dest.test]"),
            Arguments.of("from@source.test", "FAILURE", "-", true, "processor bounces: [a@dest.test, b@dest.test]"));
    }

    @ParameterizedTest(name = "sender <{0}> NOTIFY a={1} b={2} processor={3}: {4}")
    @MethodSource("bounces")
    void onlyRecipientsWhoseSenderWantsAFailureDsnBounce(String sender, String notifyA, String notifyB,
                                                         boolean processor, String expected) throws Exception {
        List<String> handedOn = new ArrayList<>();
        Bouncer bouncer = new Bouncer(recordingContext(handedOn), processor ? Optional.of("bounces") : Optional.empty(),
            "relay.test");

        bouncer.bounce(mail(sender, notifyA, notifyB), List.of(new MailAddress(A), new MailAddress(B)),
            "5.1.1 no such user", List.of());

        assertThat(handedOn).isEqualTo(expected.equals("nothing") ? List.of() : List.of(expected));
    }

    /** A MailetContext that notes sendMail(mail, processor) and bounce(mail, text); nothing else is called. */
    private static MailetContext recordingContext(List<String> handedOn) {
        return (MailetContext) Proxy.newProxyInstance(BouncerTest.class.getClassLoader(), new Class<?>[] {MailetContext.class},
            (proxy, method, args) -> {
                if (method.getName().equals("sendMail") && args.length == 2 && args[1] instanceof String) {
                    handedOn.add("processor " + args[1] + ": " + ((Mail) args[0]).getRecipients());
                    return null;
                }
                if (method.getName().equals("bounce") && args.length == 2) {
                    handedOn.add("bounce: " + ((Mail) args[0]).getRecipients());
                    return null;
                }
                throw new UnsupportedOperationException(method.toString());
            });
    }

    private static Mail mail(String sender, String notifyA, String notifyB) throws Exception {
        MailImpl mail = MailImpl.builder().name("m1")
            .sender(sender.isEmpty() ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(sender)))
            .addRecipient(A).addRecipient(B)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body")).build();
        ImmutableMap.Builder<MailAddress, RecipientDsnParameters> rcpt = ImmutableMap.builder();
        notify(notifyA).ifPresent(n -> rcpt.put(address(A), RecipientDsnParameters.of(n)));
        notify(notifyB).ifPresent(n -> rcpt.put(address(B), RecipientDsnParameters.of(n)));
        DsnParameters.of(Optional.empty(), Optional.empty(), rcpt.build()).ifPresent(mail::setDsnParameters);
        return mail;
    }

    private static Optional<EnumSet<Notify>> notify(String values) {
        if (values.equals("-")) {
            return Optional.empty();
        }
        return Optional.of(Stream.of(values.split(",")).map(Notify::valueOf)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Notify.class))));
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
