package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code TLS-Required: No} header (RFC 8689 section 5) against a real James, real nginx (MTA-STS enforce
 * policies), a STRIPTLS proxy in front of a real Postfix, and Postfix receivers whose handshake fails or whose
 * certificate names another host. Each domain's policy sets tls and tlsRequiredHeader (it-tls-policy.xml): the header
 * leaves MTA-STS out unless tlsRequiredHeader is ignore, the operator's required stands unless it is all, and with
 * all a failed handshake is retried at once in plaintext and an unverifiable certificate is used.
 */
@ExtendWith(SharedEnvironment.class)
class TlsRequiredNoIT {
    private static final String STRIP_HOST = "mx-strip.tlsno.test";
    private static final SentMails SENT = new SentMails("tlsno");
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .a(STRIP_HOST, TestNetwork.STRIP_TLS_REQUIRED_NO_PROXY_IP)
        .mx("handshake.tlsno.test", TestNetwork.RX_BROKEN + TestNetwork.RECEIVER_HOSTNAME_SUFFIX, 10)
        .mx("verify.tlsno.test", TestNetwork.RX_WRONGHOST + TestNetwork.RECEIVER_HOSTNAME_SUFFIX, 10)
        .build();
    private static SmtpFaultProxy strip;

    enum Expected { SENT_IN_PLAINTEXT, NOT_SENT }

    /**
     * Domain behind the STRIPTLS proxy (MTA-STS enforce), whether the mail has the header, what happens, and the
     * mechanism the audit line of the delivered or bounced mail names.
     */
    static Stream<Arguments> stripped() {
        return Stream.of(
            Arguments.of("published.tlsno.test", true, Expected.SENT_IN_PLAINTEXT, "tls-required-no"),
            Arguments.of("published.tlsno.test", false, Expected.NOT_SENT, "mta-sts"),
            Arguments.of("required.tlsno.test", true, Expected.NOT_SENT, "tls-required-no"),
            Arguments.of("all.tlsno.test", true, Expected.SENT_IN_PLAINTEXT, "tls-required-no"),
            Arguments.of("ignore.tlsno.test", true, Expected.NOT_SENT, "mta-sts"));
    }

    @BeforeAll
    static void publishPoliciesAndSend(TestEnvironment env) throws Exception {
        strip = new SmtpFaultProxy(Fault.STRIP_FROM_EHLO, TestNetwork.STRIP_TLS_REQUIRED_NO_PROXY_IP,
            TestNetwork.RECEIVER_PORT, TestNetwork.RX_VALID_IP, TestNetwork.RECEIVER_PORT);
        for (String domain : new String[] {"published.tlsno.test", "required.tlsno.test", "all.tlsno.test",
            "ignore.tlsno.test"}) {
            env.mtaStsWeb().publish(domain, "version: STSv1\nmode: enforce\nmx: " + STRIP_HOST + "\nmax_age: 86400\n");
            env.dns().update(records -> records.mx(domain, STRIP_HOST, 10).mtaSts(domain, "1")
                .a(MtaStsWebServer.policyHost(domain), TestNetwork.MTA_STS_ADDRESS));
        }
        JamesServer james = TlsScenarios.james(env);
        stripped().forEach(arguments -> {
            String domain = (String) arguments.get()[0];
            boolean header = (Boolean) arguments.get()[1];
            SENT.send(james.submitter(), key(domain, header), domain, header ? withHeader() : UnaryOperator.identity());
        });
        SENT.send(james.submitter(), "handshake.tlsno.test", withHeader());
        SENT.send(james.submitter(), "verify.tlsno.test", withHeader());
    }

    @AfterAll
    static void stopProxy() throws Exception {
        strip.close();
    }

    private static UnaryOperator<SmtpSubmitter.Mail> withHeader() {
        return mail -> mail.header("TLS-Required", "No");
    }

    private static String key(String domain, boolean header) {
        return domain + (header ? " with TLS-Required: No" : " without the header");
    }

    @ParameterizedTest(name = "{0}, header={1}: {2} ({3})")
    @MethodSource("stripped")
    void behindAStripTlsProxy(String domain, boolean header, Expected expected, String mechanism, TestEnvironment env) {
        SentMails.Sent sent = SENT.to(key(domain, header));
        if (expected == Expected.SENT_IN_PLAINTEXT) {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, sent.recipient);
            assertThat(received.tlsUsed()).as(received.receivedHeader()).isFalse();
            assertThat(received.header("TLS-Required")).as("the header stays on the message").contains("No");
            assertThat(TlsScenarios.outcomeLine(env, "delivered", sent.recipient)).contains("tls-mechanism=\"" + mechanism
                + "\"", "MTA-STS and DANE not looked up", "channel=\"plaintext\"");
            return;
        }
        ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sent.sender);
        assertThat(dsn.raw()).contains("Status: 5.7.10 ", "does not offer STARTTLS (4.7.6)");
        assertThat(TlsScenarios.outcomeLine(env, "bounces", sent.recipient)).contains("tls-mechanism=\"" + mechanism + "\"");
        assertThat(env.receivers().countMessagesFor(sent.recipient)).isZero();
        assertThat(strip.bytesFromClients()).doesNotContain("RCPT TO:<" + sent.recipient + ">");
    }

    @Test
    void underAllAFailedHandshakeIsRetriedInPlaintextAtOnce(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("handshake.tlsno.test");

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, sent.recipient);

        assertThat(received.tlsUsed()).isFalse();
        JamesServer james = TlsScenarios.james(env);
        assertThat(james.logLines(DeliveryLog.attempts("handshake.tlsno.test").outcome("failed: TLS negotiation with")
            .outcomeContaining("mechanism=tls-required-no effectiveTls=ifavailable").regex())).hasSize(1);
        assertThat(james.logLines(DeliveryLog.attempts("handshake.tlsno.test").plaintextFallback()
            .outcome("delivered 1/1 over plaintext").regex())).hasSize(1);
        assertThat(james.logLines(DeliveryLog.deferrals("handshake.tlsno.test").regex())).as("never deferred").isEmpty();
    }

    @Test
    void underAllACertificateThatFailsVerificationIsRecordedAndUsed(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("verify.tlsno.test");

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, sent.recipient);

        assertThat(received.tlsUsed()).isTrue();
        assertThat(TlsScenarios.outcomeLine(env, "delivered", sent.recipient))
            .contains("tls-mechanism=\"tls-required-no\"", "tls-verification=\"failed: ", "tls-verify=\"host\"");
    }

    @Test
    void webAdminShowsWhatTheHeaderWouldChange(TestEnvironment env) {
        String body = TlsScenarios.james(env).webAdmin().get("/tls-policy/effective?domain=all.tlsno.test").body;

        assertThat(body).contains("\"tlsRequiredHeader\":{\"value\":\"all\"",
            "\"tls-required-no\":{\"mx\":[{\"mx\":\"" + STRIP_HOST,
            "\"mechanism\":\"tls-required-no\",\"effectiveTls\":\"ifavailable\"",
            "\"startTls\":\"if-offered\",\"requireTls\":false,\"plaintextFallback\":true",
            "\"none\":{\"mx\":[{\"mx\":\"" + STRIP_HOST);
    }
}
