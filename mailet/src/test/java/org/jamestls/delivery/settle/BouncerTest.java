package org.jamestls.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamestls.smtpin.RequireTlsMark;
import org.junit.jupiter.api.Test;

/**
 * What the bounce processor gets: the delivery error and, for a REQUIRETLS mail, RET=HDRS (DSNBounce then attaches the
 * headers only) next to the mark that DSNBounce copies onto the DSN.
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
}
