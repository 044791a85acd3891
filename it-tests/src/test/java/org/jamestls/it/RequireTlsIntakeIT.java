package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;

import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.RequireTlsReceiver;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpConnection;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsClient;
import org.jamestls.it.support.TlsServerContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * REQUIRETLS (RFC 8689) on James's SMTP intake: the sample smtpserver.xml's handler chain (with
 * org.jamestls.smtpin.RequireTlsHandler) on a real James 3.8.1, whose listener here also offers STARTTLS with the
 * test CA's receiver certificate (the sample has no keystore, so it never offers it). A marked mail is followed
 * through James's queues (spool, the mailet's tls-outgoing, the spool again for the onSuccess copy) to the audit
 * line LogDeliveryOutcome writes in the "delivered" processor, and to the scripted REQUIRETLS receiver
 * ({@link RequireTlsReceiver}; Postfix 3.7 cannot offer REQUIRETLS) that its domain's MX points at; the domain's
 * MTA-STS policy (real nginx) lists that MX, so a marked mail qualifies for REQUIRETLS delivery and the receiver sees
 * {@code MAIL FROM ... REQUIRETLS} exactly for the marked mails (RequireTlsDeliveryIT covers delivery itself).
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 1) // after the classes on TlsScenarios.config's James: its own James (the REQUIRETLS listener config, as RequireTlsDeliveryIT) starts once
class RequireTlsIntakeIT {
    private static final String DOMAIN = "requiretls.intake.test";
    private static final String RECEIVER_HOST = TestNetwork.RX_REQUIRETLS + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    private static final String SENDER = "intake@" + TlsScenarios.SENDER_DOMAIN;
    private static final Duration TIMEOUT = TlsScenarios.DELIVERY_TIMEOUT;

    private static RequireTlsReceiver receiver;

    @BeforeAll
    static void startReceiver(TestEnvironment env) throws IOException {
        receiver = RequireTlsReceiver.withRequireTls(RECEIVER_HOST, TestNetwork.RX_REQUIRETLS_IP,
            TestNetwork.RECEIVER_PORT, TlsServerContext.validReceiver(env.certificates()));
        env.mtaStsWeb().publish(DOMAIN, "version: STSv1\nmode: enforce\nmx: " + RECEIVER_HOST + "\nmax_age: 86400\n");
        env.dns().update(records -> records.a(RECEIVER_HOST, TestNetwork.RX_REQUIRETLS_IP).mx(DOMAIN, RECEIVER_HOST, 10)
            .mtaSts(DOMAIN, "1").a(MtaStsWebServer.policyHost(DOMAIN), TestNetwork.MTA_STS_ADDRESS));
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        receiver.close();
    }

    /** config-samples/ with a listener offering STARTTLS, and the test policy (tls=required for the test domain). */
    private static JamesServer james(TestEnvironment env) {
        return TlsScenarios.requireTlsJames(env);
    }

    @Test
    void ehloOffersRequireTlsOnlyAfterStartTls(TestEnvironment env) throws IOException {
        JamesServer james = james(env);
        try (SmtpConnection c = SmtpConnection.open(james.smtpAddress(), james.smtpPort())) {
            SmtpConnection.Reply clear = c.expect(250, "EHLO client.intake.test");
            c.startTls(trustingTestCa(env));
            SmtpConnection.Reply underTls = c.expect(250, "EHLO client.intake.test");
            c.command("QUIT");

            assertThat(clear.hasLine("STARTTLS")).as(clear.toString()).isTrue();
            assertThat(clear.hasLine("REQUIRETLS")).as(clear.toString()).isFalse();
            assertThat(underTls.hasLine("REQUIRETLS")).as(underTls.toString()).isTrue();
            assertThat(underTls.hasLine("STARTTLS")).as(underTls.toString()).isFalse();
        }
    }

    @Test
    void requireTlsInClearIsRefusedWith530And5710(TestEnvironment env) throws IOException {
        JamesServer james = james(env);
        try (SmtpConnection c = SmtpConnection.open(james.smtpAddress(), james.smtpPort())) {
            c.expect(250, "EHLO client.intake.test");
            SmtpConnection.Reply refused = c.command("MAIL FROM:<" + SENDER + "> REQUIRETLS");
            // the session goes on: the same sender without the parameter is taken
            SmtpConnection.Reply plain = c.command("MAIL FROM:<" + SENDER + ">");
            c.command("RSET");
            c.command("QUIT");

            assertThat(refused.code).as(refused.toString()).isEqualTo(530);
            assertThat(refused.lines.get(0)).startsWith("5.7.10 ").contains("REQUIRETLS").contains("STARTTLS");
            assertThat(plain.code).as(plain.toString()).isEqualTo(250);
        }
    }

    @ParameterizedTest(name = "[{index}] STARTTLS={0}, MAIL FROM parameter '{1}' -> jamestls.requiretls on the delivered mail: {2}")
    @CsvSource(nullValues = "-", value = {
        "true,  REQUIRETLS, true",
        // ESMTP keywords are case-insensitive; James's own parameter hooks would not see this spelling
        "true,  requiretls, true",
        "true,  -,          false",
        "false, -,          false",
    })
    void theMarkTravelsWithTheMailThroughTheQueues(boolean startTls, String parameter, boolean marked,
                                                   TestEnvironment env) {
        JamesServer james = james(env);
        String recipient = TlsScenarios.uniqueRecipient("intake", DOMAIN);
        SmtpSubmitter submitter = startTls ? TlsScenarios.overTls(env, james) : james.submitter();
        SmtpSubmitter.Mail mail = submitter.mail().from(SENDER).to(recipient);
        if (parameter != null) {
            mail.mailParameter(parameter);
        }

        mail.send();

        RequireTlsReceiver.Transaction received = receiver.awaitTransactionsFor(recipient, 1, TIMEOUT).get(0);
        String audit = james.awaitLog("Delivery outcome \\(delivered\\): .*recipients=\\[" + recipient.replace(".", "\\.")
            + "\\]", TIMEOUT);
        assertThat(received.tls).as("tls=required for " + DOMAIN + ": " + received).isTrue();
        assertThat(received.hasParameter("REQUIRETLS")).as("REQUIRETLS passed on: " + received).isEqualTo(marked);
        if (marked) {
            assertThat(audit).contains("requiretls=\"true\"");
            assertThat(james.logLines("REQUIRETLS requested: mail=.* recipients=\\[" + recipient.replace(".", "\\.")
                + "\\] protocol=TLSv1\\.")).hasSize(1);
        } else {
            assertThat(audit).doesNotContain("requiretls=");
            assertThat(james.logLines("REQUIRETLS requested: .*" + recipient.replace(".", "\\."))).isEmpty();
        }
    }

    private static TlsClient trustingTestCa(TestEnvironment env) {
        return TlsClient.trusting(env.certificates().caPem());
    }
}
