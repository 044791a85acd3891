package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.UnaryOperator;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.RequireTlsReceiver;
import org.jamestls.it.support.ServerCertKind;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestCertificates;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsServerContext;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * REQUIRETLS (RFC 8689 section 4) on delivery, with real parts: mail submitted over real SMTP with STARTTLS and
 * {@code MAIL FROM:<...> REQUIRETLS} into a real James (the samples' intake hook marks it), MTA-STS policies served
 * by the real nginx, a zone the real Knot signs (DANE-EE), a plain domain, a STRIPTLS proxy in front of a real
 * Postfix. The receivers are the SCRIPTED {@link RequireTlsReceiver} (Debian's Postfix 3.7 cannot offer REQUIRETLS):
 * rx-requiretls-2 offers REQUIRETLS after STARTTLS, rx-no-requiretls never does. The senders' domain has an MTA-STS
 * policy naming rx-requiretls-2, so the DSN of a returned REQUIRETLS mail, itself marked REQUIRETLS, can be seen
 * arriving there.
 */
@ExtendWith(SharedEnvironment.class)
@Order(Order.DEFAULT + 1) // after the classes on TlsScenarios.config's James: its own James (the REQUIRETLS listener config, as RequireTlsIntakeIT) starts once
class RequireTlsDeliveryIT {
    private static final String SENDERS = "senders.requiretls.test";
    private static final String OFFERING_HOST = TestNetwork.RX_REQUIRETLS_2 + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    private static final String ABSENT_HOST = TestNetwork.RX_NO_REQUIRETLS + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    private static final String STRIP_HOST = "mx-strip.requiretls.test";
    private static final String DANE_DOMAIN = "requiretls.dane.test";
    private static final String DANE_MX = "mx-rt.dane.test";
    private static final int PORT = TestNetwork.RECEIVER_PORT;
    /** In the body only: a DSN that returns the headers only must not contain it. */
    private static final String BODY_SECRET = "body-secret-" + SmtpSubmitter.uniqueSubject("rt");

    private static final SentMails SENT = new SentMails("rt", SENDERS);
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .a(OFFERING_HOST, TestNetwork.RX_REQUIRETLS_2_IP).a(ABSENT_HOST, TestNetwork.RX_NO_REQUIRETLS_IP)
        .a(STRIP_HOST, TestNetwork.STRIP_REQUIRETLS_PROXY_IP)
        .mx("plain.requiretls.test", OFFERING_HOST, 10)
        .build();

    private static RequireTlsReceiver offering;
    private static RequireTlsReceiver absent;
    private static SmtpFaultProxy strip;

    @BeforeAll
    static void publishPoliciesStartReceiversAndSend(TestEnvironment env) throws Exception {
        offering = RequireTlsReceiver.withRequireTls(OFFERING_HOST, TestNetwork.RX_REQUIRETLS_2_IP, PORT,
            TlsServerContext.validReceiver(env.certificates()));
        absent = RequireTlsReceiver.withoutRequireTls(ABSENT_HOST, TestNetwork.RX_NO_REQUIRETLS_IP, PORT,
            TlsServerContext.validReceiver(env.certificates()));
        strip = new SmtpFaultProxy(Fault.STRIP_FROM_EHLO, TestNetwork.STRIP_REQUIRETLS_PROXY_IP, PORT,
            TestNetwork.RX_VALID_IP, PORT);
        publishMtaSts(env, "sts.requiretls.test", OFFERING_HOST, OFFERING_HOST);
        publishMtaSts(env, "nokeyword.requiretls.test", ABSENT_HOST, ABSENT_HOST);
        publishMtaSts(env, "twomx.requiretls.test", ABSENT_HOST, "*.receivers.test");
        publishMtaSts(env, "strip.requiretls.test", STRIP_HOST, STRIP_HOST);
        publishMtaSts(env, SENDERS, OFFERING_HOST, OFFERING_HOST);
        // a second, less preferred MX that offers REQUIRETLS
        env.dns().update(records -> records.mx("twomx.requiretls.test", OFFERING_HOST, 20));
        X509Certificate valid = TestCertificates.certificate(env.certificates().serverCert(ServerCertKind.VALID));
        env.knot().mx(DANE_DOMAIN, DANE_MX, 10).a(DANE_MX, TestNetwork.RX_REQUIRETLS_2_IP)
            .tlsaFor(DANE_MX, PORT, 3, 1, 1, valid).apply();

        JamesServer james = TlsScenarios.requireTlsJames(env);
        SmtpSubmitter overTls = TlsScenarios.overTls(env, james);
        UnaryOperator<SmtpSubmitter.Mail> requireTls = mail -> mail.mailParameter("REQUIRETLS").body(BODY_SECRET);
        for (String domain : List.of("sts.requiretls.test", DANE_DOMAIN, "plain.requiretls.test",
            "nokeyword.requiretls.test", "twomx.requiretls.test")) {
            SENT.send(overTls, domain, requireTls);
        }
        SENT.send(overTls, "strip.requiretls.test",
            mail -> requireTls.apply(mail).header("TLS-Required", "No"));
        SENT.send(james.submitter(), "unmarked", "plain.requiretls.test", UnaryOperator.identity());
    }

    @AfterAll
    static void stopReceivers() throws Exception {
        offering.close();
        absent.close();
        strip.close();
    }

    private static void publishMtaSts(TestEnvironment env, String domain, String mx, String pattern) {
        env.mtaStsWeb().publish(domain, "version: STSv1\nmode: enforce\nmx: " + pattern + "\nmax_age: 86400\n");
        env.dns().update(records -> records.mx(domain, mx, 10).mtaSts(domain, "1")
            .a(MtaStsWebServer.policyHost(domain), TestNetwork.MTA_STS_ADDRESS));
    }

    @Test
    void anMxListedByMtaStsThatOffersRequireTlsGetsTheMailWithRequireTlsOverVerifiedTls(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("sts.requiretls.test");

        RequireTlsReceiver.Transaction received = offering.awaitTransactionsFor(sent.recipient, 1,
            TlsScenarios.DELIVERY_TIMEOUT).get(0);

        assertThat(received.tls).isTrue();
        assertThat(received.hasParameter("REQUIRETLS")).as(received.toString()).isTrue();
        assertThat(TlsScenarios.outcomeLine(TlsScenarios.requireTlsJames(env), "delivered", sent.recipient))
            .contains("tls-mechanism=\"requiretls\"", "tls-verification=\"verified-host\"", "requiretls=\"true\"",
                "mx listed by mta-sts enforce");
    }

    @Test
    void anMxFromADnssecValidatedAnswerIsVerifiedByDane(TestEnvironment env) {
        SentMails.Sent sent = SENT.to(DANE_DOMAIN);

        RequireTlsReceiver.Transaction received = offering.awaitTransactionsFor(sent.recipient, 1,
            TlsScenarios.DELIVERY_TIMEOUT).get(0);

        assertThat(received.hasParameter("REQUIRETLS")).as(received.toString()).isTrue();
        assertThat(TlsScenarios.outcomeLine(TlsScenarios.requireTlsJames(env), "delivered", sent.recipient))
            .contains("tls-mechanism=\"requiretls\"", "tls-verification=\"dane-ee 3 1 1",
                "mx in the DNSSEC-validated MX RRset of " + DANE_DOMAIN);
    }

    @Test
    void aPlainDomainIsReturnedAtOnceWith5730AndAHeadersOnlyDsnThatIsMarkedItself(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("plain.requiretls.test");

        RequireTlsReceiver.Transaction dsn = offering.awaitTransactionsFor(sent.sender, 1, TlsScenarios.BOUNCE_TIMEOUT)
            .get(0);

        assertThat(dsn.mailFrom).as("a DSN, from the null sender").isEmpty();
        assertThat(dsn.hasParameter("REQUIRETLS")).as("the DSN travels as REQUIRETLS mail: " + dsn).isTrue();
        assertThat(dsn.tls).isTrue();
        assertThat(dsn.data).contains("Status: 5.7.30", "was not found securely", "text/rfc822-headers",
            "Subject: " + sent.subject, sent.recipient).doesNotContain(BODY_SECRET);
        JamesServer james = TlsScenarios.requireTlsJames(env);
        assertThat(james.logLines(DeliveryLog.attempts("plain.requiretls.test").outcome("not tried: REQUIRETLS: ")
            .outcomeContaining("(5.7.30) mechanism=requiretls").regex())).hasSize(1);
        assertThat(james.logLines(DeliveryLog.deferrals("plain.requiretls.test").recipient(sent.recipient).regex()))
            .as("returned at once, never deferred").isEmpty();
        assertThat(offering.transactions()).noneMatch(t -> t.recipients.contains(sent.recipient));
    }

    @Test
    void aReceiverWithoutRequireTlsNeverGetsTheMailAndItIsReturned(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("nokeyword.requiretls.test");

        RequireTlsReceiver.Transaction dsn = offering.awaitTransactionsFor(sent.sender, 1, TlsScenarios.BOUNCE_TIMEOUT)
            .get(0);

        assertThat(dsn.data).contains("Status: 5.7.30", "does not offer REQUIRETLS after STARTTLS").doesNotContain(BODY_SECRET);
        assertThat(absent.transactions()).noneMatch(t -> t.recipients.contains(sent.recipient));
        assertThat(TlsScenarios.outcomeLine(TlsScenarios.requireTlsJames(env), "bounces", sent.recipient)).contains("tls-mechanism=\"requiretls\"",
            "requiretls-missing");
    }

    @Test
    void theNextMxIsTriedWhenTheFirstDoesNotOfferRequireTls(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("twomx.requiretls.test");

        RequireTlsReceiver.Transaction received = offering.awaitTransactionsFor(sent.recipient, 1,
            TlsScenarios.DELIVERY_TIMEOUT).get(0);

        assertThat(received.hasParameter("REQUIRETLS")).isTrue();
        assertThat(absent.transactions()).noneMatch(t -> t.recipients.contains(sent.recipient));
        assertThat(TlsScenarios.requireTlsJames(env).logLines(DeliveryLog.attempts("twomx.requiretls.test").mx(ABSENT_HOST)
            .outcomeContaining("does not offer REQUIRETLS after STARTTLS (5.7.30) mechanism=requiretls").regex()))
            .isNotEmpty();
    }

    @Test
    void requireTlsWinsOverTlsRequiredNoAndAStrippedStartTlsReturnsTheMail(TestEnvironment env) {
        SentMails.Sent sent = SENT.to("strip.requiretls.test");

        RequireTlsReceiver.Transaction dsn = offering.awaitTransactionsFor(sent.sender, 1, TlsScenarios.BOUNCE_TIMEOUT)
            .get(0);

        assertThat(dsn.data).contains("Status: 5.7.30", "REQUIRETLS: TLS required but", "does not offer STARTTLS");
        assertThat(env.receivers().countMessagesFor(sent.recipient)).as("nothing reached Postfix behind the proxy").isZero();
        assertThat(strip.bytesFromClients()).contains("EHLO").doesNotContain("RCPT TO:<" + sent.recipient + ">");
    }

    @Test
    void anUnmarkedMailToTheSameReceiverGoesWithoutTheParameter() {
        SentMails.Sent sent = SENT.to("unmarked");

        RequireTlsReceiver.Transaction received = offering.awaitTransactionsFor(sent.recipient, 1,
            TlsScenarios.DELIVERY_TIMEOUT).get(0);

        assertThat(received.tls).as("tls=ifavailable").isTrue();
        assertThat(received.hasParameter("REQUIRETLS")).isFalse();
    }

    @Test
    void webAdminShowsWhatARequireTlsMailWouldGet(TestEnvironment env) {
        WebAdminClient webAdmin = TlsScenarios.requireTlsJames(env).webAdmin();

        WebAdminClient.Response plain = webAdmin.get("/tls-policy/effective?domain=plain.requiretls.test");
        WebAdminClient.Response sts = webAdmin.get("/tls-policy/effective?domain=sts.requiretls.test");

        assertThat(plain.status).isEqualTo(200);
        assertThat(plain.body).contains("\"requiretls\":{\"mx\":[{\"mx\":\"" + OFFERING_HOST + " [",
            "\"mechanism\":\"requiretls\",\"effectiveTls\":\"required\"", "\"refused\":\"REQUIRETLS: ",
            "\"none\":{\"mx\":[{\"mx\":\"" + OFFERING_HOST);
        assertThat(sts.body).contains("\"mechanism\":\"requiretls\"", "\"startTls\":\"mandatory\",\"requireTls\":true");
    }
}
