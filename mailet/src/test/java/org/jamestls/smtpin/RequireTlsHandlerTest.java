package org.jamestls.smtpin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.server.core.MailImpl;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.james.smtpserver.SendMailHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequireTlsHandlerTest {
    private final RequireTlsHandler handler = new RequireTlsHandler();

    @Test
    void offersTheKeywordOnlyOnATlsSession() {
        assertThat(handler.getImplementedEsmtpFeatures(FakeSmtpSession.plain().session())).isEmpty();
        assertThat(handler.getImplementedEsmtpFeatures(FakeSmtpSession.underTls().session())).containsExactly("REQUIRETLS");
    }

    @ParameterizedTest(name = "[{index}] tls={0} MAIL {1} -> {2} requested={3}")
    @CsvSource(nullValues = "-", delimiter = '|', value = {
        // tls  | MAIL argument                                    | reply (- = James answers) | requested
        "false  | FROM:<a@x.test>                                  | -                                             | false",
        "false  | FROM:<a@x.test> REQUIRETLS                       | 530 5.7.10 REQUIRETLS needs a TLS session: issue STARTTLS first | false",
        "false  | FROM:<a@x.test> SIZE=10 requiretls               | 530 5.7.10 REQUIRETLS needs a TLS session: issue STARTTLS first | false",
        "true   | FROM:<a@x.test>                                  | -                                             | false",
        "true   | FROM:<a@x.test> REQUIRETLS                       | -                                             | true",
        "true   | FROM:<a@x.test> requiretls                       | -                                             | true",
        "true   | from:<> SIZE=100 RequireTLS BODY=8BITMIME        | -                                             | true",
        "true   | FROM:<a@x.test>  REQUIRETLS                      | -                                             | true",
        "true   | FROM:<a@x.test> REQUIRETLS=yes                   | 501 5.5.4 REQUIRETLS takes no value            | false",
        // not a parameter where James would see none: no space after '>', or no brackets at all
        "true   | FROM:<a@x.test>REQUIRETLS                        | -                                             | false",
        "true   | FROM:a@x.test REQUIRETLS                         | -                                             | false",
        // another name that merely starts like it
        "true   | FROM:<a@x.test> REQUIRETLSX                      | -                                             | false",
        "true   | FROM:<\"quoted REQUIRETLS\"@x.test>              | -                                             | false",
    })
    void mailFromParameter(boolean tls, String argument, String reply, boolean requested) {
        FakeSmtpSession fake = tls ? FakeSmtpSession.underTls() : FakeSmtpSession.plain();
        SMTPSession session = fake.session();

        Response response = handler.onCommand(session, mail(argument));

        assertThat(response == null ? null : String.join("\n", response.getLines()))
            .isEqualTo(reply);
        assertThat(requested(session)).isEqualTo(requested);
    }

    @Test
    void aNewMailCommandForgetsTheRequestOfARefusedOne() {
        FakeSmtpSession fake = FakeSmtpSession.underTls();
        SMTPSession session = fake.session();

        handler.onCommand(session, mail("FROM:<a@x.test> REQUIRETLS SIZE=999999999"));
        fake.senderRefused(); // e.g. 552 from the SIZE check after our handler passed
        handler.onCommand(session, mail("FROM:<a@x.test>"));

        assertThat(requested(session)).isFalse();
    }

    @Test
    void aSecondMailInTheSameTransactionLeavesTheFirstRequestAlone() {
        FakeSmtpSession fake = FakeSmtpSession.underTls();
        SMTPSession session = fake.session();

        handler.onCommand(session, mail("FROM:<a@x.test> REQUIRETLS"));
        fake.senderAccepted();
        Response second = handler.onCommand(session, mail("FROM:<b@x.test>"));

        assertThat(second).isNull(); // James answers 503 sender already specified
        assertThat(requested(session)).isTrue();
    }

    @Test
    void marksTheMailOfARequestingTransactionOnly() {
        SMTPSession requesting = FakeSmtpSession.underTls().session();
        handler.onCommand(requesting, mail("FROM:<a@x.test> REQUIRETLS"));
        MailImpl marked = MailImpl.builder().name("marked").build();
        MailImpl unmarked = MailImpl.builder().name("unmarked").build();

        assertThat(handler.onMessage(requesting, marked)).isEqualTo(HookResult.DECLINED);
        assertThat(handler.onMessage(FakeSmtpSession.underTls().session(), unmarked)).isEqualTo(HookResult.DECLINED);

        assertThat(RequireTlsMark.isMarked(marked)).isTrue();
        assertThat(marked.getAttribute(RequireTlsMark.ATTRIBUTE).orElseThrow().getValue().value()).isEqualTo(true);
        assertThat(RequireTlsMark.isMarked(unmarked)).isFalse();
        assertThat(unmarked.getAttribute(RequireTlsMark.ATTRIBUTE)).isEmpty();
    }

    @Test
    void startsOnlyWhenItSeesMailFromFirstAndMarksBeforeTheMailIsEnqueued() {
        CommandHandler<SMTPSession> otherMailHandler = otherHandlerFor("MAIL");
        CommandHandler<SMTPSession> rcptHandler = otherHandlerFor("RCPT");
        SendMailHandler sendMail = new SendMailHandler(null);

        assertThatCode(() -> {
            handler.wireExtensions(CommandHandler.class, List.of(rcptHandler, handler, otherMailHandler));
            handler.wireExtensions(JamesMessageHook.class, List.of(handler, sendMail));
        }).doesNotThrowAnyException();
        assertThatThrownBy(() -> handler.wireExtensions(CommandHandler.class, List.of(otherMailHandler, handler)))
            .isInstanceOf(WiringException.class)
            .hasMessageContaining("org.jamestls.smtpin.RequireTlsHandler must come before")
            .hasMessageContaining("<handlerchain>");
        assertThatThrownBy(() -> handler.wireExtensions(JamesMessageHook.class, List.of(sendMail, handler)))
            .isInstanceOf(WiringException.class)
            .hasMessageContaining("must come before org.apache.james.smtpserver.SendMailHandler");
        assertThat(handler.getMarkerInterfaces()).containsExactly(CommandHandler.class, JamesMessageHook.class);
        assertThat(handler.getImplCommands()).containsExactly("MAIL");
    }

    private static Request mail(String argument) {
        return new BaseRequest("MAIL", argument);
    }

    private static boolean requested(SMTPSession session) {
        return session.getAttachment(RequireTlsHandler.REQUESTED, State.Transaction).orElse(false);
    }

    private static CommandHandler<SMTPSession> otherHandlerFor(String command) {
        return new CommandHandler<>() {
            @Override
            public Response onCommand(SMTPSession session, Request request) {
                return null;
            }

            @Override
            public Collection<String> getImplCommands() {
                return List.of(command);
            }
        };
    }
}
