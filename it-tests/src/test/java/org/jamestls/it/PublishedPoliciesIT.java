package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.KnotDns;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.ServerCertKind;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestCertificates;
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
 * The receiving domain's published policy against a real James: MTA-STS policies served over HTTPS by a real
 * nginx (certificates from the test CA) and announced in dnsmasq TXT records, DANE TLSA records in a zone
 * that a real Knot DNS signs on the fly (trust anchor exported at start), real Postfix receivers. Operator
 * policy for all these domains is tls=no, so every TLS connection seen here was demanded by the receiver.
 */
@ExtendWith(SharedEnvironment.class)
class PublishedPoliciesIT {
    private static final String STRIP_STS_PROXY_IP = "127.0.0.78";
    private static final String STRIP_DANE_PROXY_IP = "127.0.0.79";
    private static final int PORT = TestNetwork.RECEIVER_PORT;

    private static final SentMails SENT = new SentMails("pub");
    @TestDns
    static final DnsRecords MTA_STS_DNS = mtaStsDns();
    private static SmtpFaultProxy stripStsProxy;
    private static SmtpFaultProxy stripDaneProxy;

    @BeforeAll
    static void publishPoliciesAndSendOneMailPerDomain(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        publishMtaSts(env);
        publishDane(env);
        stripStsProxy = new SmtpFaultProxy(Fault.STRIP_FROM_EHLO, STRIP_STS_PROXY_IP, PORT, TestNetwork.RX_VALID_IP, PORT);
        stripDaneProxy = new SmtpFaultProxy(Fault.STRIP_FROM_EHLO, STRIP_DANE_PROXY_IP, PORT, TestNetwork.RX_VALID_IP, PORT);
        Stream.concat(scenarios().map(arguments -> (String) arguments.get()[0]), Stream.of("cached.sts.test", "refresh.sts.test"))
            .forEach(domain -> SENT.send(james, domain));
    }

    @AfterAll
    static void stopProxies() throws Exception {
        stripStsProxy.close();
        stripDaneProxy.close();
    }

    private static void publishMtaSts(TestEnvironment env) {
        MtaStsWebServer web = env.mtaStsWeb();
        web.publish("enforce-good.sts.test", policy("enforce", "rx-valid.receivers.test"));
        web.publish("enforce-unlisted.sts.test", policy("enforce", "rx-valid.receivers.test"));
        web.publish("enforce-badcert.sts.test", policy("enforce", "*.receivers.test"));
        web.publish("testing.sts.test", policy("testing", "rx-valid.receivers.test"));
        web.publish("strip.sts.test", policy("enforce", "*.sts.test"));
        web.publish("off.sts.test", policy("enforce", "rx-valid.receivers.test"));
        web.publish("cached.sts.test", policy("enforce", "rx-valid.receivers.test"));
        web.publish("refresh.sts.test", policy("enforce", "rx-valid.receivers.test"));
    }

    /** Each MTA-STS domain's MX, its announcement and its policy host; fetchfail.sts.test's host serves nothing (404). */
    private static DnsRecords mtaStsDns() {
        DnsRecords.Builder records = DnsRecords.builder();
        mtaStsDomain(records, "enforce-good.sts.test", "rx-valid.receivers.test");
        mtaStsDomain(records, "enforce-unlisted.sts.test", "rx-tls-1.receivers.test");
        mtaStsDomain(records, "enforce-badcert.sts.test", "rx-wronghost.receivers.test");
        mtaStsDomain(records, "testing.sts.test", "rx-wronghost.receivers.test");
        mtaStsDomain(records, "fetchfail.sts.test", "rx-tls-1.receivers.test");
        mtaStsDomain(records, "off.sts.test", "rx-tls-1.receivers.test");
        mtaStsDomain(records, "cached.sts.test", "rx-valid.receivers.test");
        mtaStsDomain(records, "refresh.sts.test", "rx-valid.receivers.test");
        mtaStsDomain(records, "strip.sts.test", "mx-strip.sts.test");
        return records.a("mx-strip.sts.test", STRIP_STS_PROXY_IP).build();
    }

    private static DnsRecords.Builder mtaStsDomain(DnsRecords.Builder records, String domain, String mx) {
        return records.mx(domain, mx, 10).mtaSts(domain, "1").a(MtaStsWebServer.policyHost(domain), TestNetwork.MTA_STS_ADDRESS);
    }

    private static String policy(String mode, String mx) {
        return "version: STSv1\nmode: " + mode + "\nmx: " + mx + "\nmax_age: 86400\n";
    }

    private static void publishDane(TestEnvironment env) {
        KnotDns knot = env.knot();
        TestCertificates certs = env.certificates();
        X509Certificate valid = TestCertificates.certificate(certs.serverCert(ServerCertKind.VALID));
        X509Certificate other = TestCertificates.certificate(certs.serverCert(ServerCertKind.WRONGHOST));
        X509Certificate ca = TestCertificates.certificate(certs.caPem());
        knot.mx("ee.dane.test", "mx-ee.dane.test", 10).a("mx-ee.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-ee.dane.test", PORT, 3, 1, 1, valid)
            .mx("ta.dane.test", TestNetwork.DANE_TA_MX, 10).a(TestNetwork.DANE_TA_MX, TestNetwork.RX_VALID_IP)
            .tlsaFor(TestNetwork.DANE_TA_MX, PORT, 2, 0, 1, ca)
            .mx("ta-wrongname.dane.test", "mx-ta-wrong.dane.test", 10).a("mx-ta-wrong.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-ta-wrong.dane.test", PORT, 2, 0, 1, ca)
            .mx("mismatch.dane.test", "mx-mismatch.dane.test", 10).a("mx-mismatch.dane.test", TestNetwork.RX_VALID_IP)
            .tlsaFor("mx-mismatch.dane.test", PORT, 3, 1, 1, other)
            .mx("off.dane.test", "mx-off.dane.test", 10).a("mx-off.dane.test", TestNetwork.RX_TLS_1_IP)
            .tlsaFor("mx-off.dane.test", PORT, 3, 1, 1, other)
            .mx("strip.dane.test", "mx-strip.dane.test", 10).a("mx-strip.dane.test", STRIP_DANE_PROXY_IP)
            .tlsaFor("mx-strip.dane.test", PORT, 3, 1, 1, valid)
            .mx(KnotDns.BOGUS_CHILD, "mx." + KnotDns.BOGUS_CHILD, 10).a("mx." + KnotDns.BOGUS_CHILD, TestNetwork.RX_VALID_IP)
            .mx(KnotDns.INSECURE_CHILD, "mx." + KnotDns.INSECURE_CHILD, 10)
            .a("mx." + KnotDns.INSECURE_CHILD, TestNetwork.RX_TLS_1_IP)
            .apply();
    }

    /** domain, what happens, and what the audit line (delivered) or the DSN (bounced) must say. */
    static Stream<Arguments> scenarios() {
        return Stream.of(
            Arguments.of("enforce-good.sts.test", Outcome.TLS, "tls-mechanism=\"mta-sts\"", "tls-verification=\"verified-host\""),
            Arguments.of("enforce-unlisted.sts.test", Outcome.BOUNCED, "Status: 5.7.10 ", "is not an MX allowed by the policy of enforce-unlisted.sts.test"),
            Arguments.of("enforce-badcert.sts.test", Outcome.BOUNCED, "Status: 5.7.10 ", "No subject alternative DNS name matching rx-wronghost.receivers.test"),
            Arguments.of("testing.sts.test", Outcome.TLS, "testing only, mx rx-wronghost.receivers.test NOT in policy", "tls-verification=\"failed: "),
            Arguments.of("fetchfail.sts.test", Outcome.PLAINTEXT, "tls-mechanism=\"policy\"", "fetch failed"),
            Arguments.of("off.sts.test", Outcome.PLAINTEXT, "tls-mechanism=\"policy\"", "mta-sts off"),
            Arguments.of("strip.sts.test", Outcome.BOUNCED, "Status: 5.7.10 ", "does not offer STARTTLS"),
            Arguments.of("ee.dane.test", Outcome.TLS, "tls-mechanism=\"dane\"", "tls-verification=\"dane-ee 3 1 1"),
            Arguments.of("ta.dane.test", Outcome.TLS, "tls-mechanism=\"dane\"", "tls-verification=\"dane-ta 2 0 1"),
            Arguments.of("ta-wrongname.dane.test", Outcome.BOUNCED, "Status: 5.7.10 ", "no TLSA record matches"),
            Arguments.of("mismatch.dane.test", Outcome.BOUNCED, "Status: 5.7.10 ", "no TLSA record matches"),
            Arguments.of(KnotDns.BOGUS_CHILD, Outcome.BOUNCED, "Status: 5.7.10 ", "DANE: DNSSEC lookup of the MX of bogus.dane.test failed"),
            Arguments.of(KnotDns.INSECURE_CHILD, Outcome.PLAINTEXT, "tls-mechanism=\"policy\"", "INSECURE"),
            Arguments.of("off.dane.test", Outcome.PLAINTEXT, "tls-mechanism=\"policy\"", "dane off"),
            Arguments.of("strip.dane.test", Outcome.BOUNCED, "Status: 5.7.10 ", "does not offer STARTTLS"));
    }

    enum Outcome { TLS, PLAINTEXT, BOUNCED }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scenarios")
    void publishedPolicyDecides(String domain, Outcome outcome, String first, String second, TestEnvironment env) {
        String sender = SENT.to(domain).sender;
        String recipient = SENT.to(domain).recipient;
        if (outcome == Outcome.BOUNCED) {
            ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sender);
            assertThat(dsn.raw()).contains(first, second, recipient);
            assertThat(env.receivers().countMessagesFor(recipient)).as("nothing reached the receiver").isZero();
            return;
        }
        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.tlsUsed()).isEqualTo(outcome == Outcome.TLS);
        assertThat(TlsScenarios.outcomeLine(env, "delivered", recipient)).contains(first, second);
    }

    @Test
    void aStrippingProxyNeverGetsTheMessage(TestEnvironment env) {
        // once their DSNs are out James is done with both mails (this test may run before the scenario tests)
        TlsScenarios.awaitDsn(env, SENT.to("strip.sts.test").sender);
        TlsScenarios.awaitDsn(env, SENT.to("strip.dane.test").sender);
        assertThat(stripStsProxy.bytesFromClients()).contains("EHLO").doesNotContain("MAIL FROM").doesNotContain("DATA");
        assertThat(stripDaneProxy.bytesFromClients()).contains("EHLO").doesNotContain("MAIL FROM").doesNotContain("DATA");
    }

    @Test
    void aCachedPolicyOutlivesAFailedRefresh(TestEnvironment env) {
        String domain = "cached.sts.test";
        TlsScenarios.awaitDelivered(env, SENT.to(domain).recipient);
        env.mtaStsWeb().remove(domain);
        env.dns().update(records -> records.removeTxt("_mta-sts." + domain).mtaSts(domain, "2"));

        SentMails.Sent second = SENT.sendAnother(TlsScenarios.james(env), domain);

        assertThat(TlsScenarios.awaitDelivered(env, second.recipient).tlsUsed()).isTrue();
        assertThat(TlsScenarios.outcomeLine(env, "delivered", second.recipient))
            .contains("tls-mechanism=\"mta-sts\"", "enforce id=1", "cached", "fetch failed");
    }

    @Test
    void aNewTxtIdFetchesTheNewPolicy(TestEnvironment env) {
        String domain = "refresh.sts.test";
        TlsScenarios.awaitDelivered(env, SENT.to(domain).recipient);
        env.mtaStsWeb().publish(domain, policy("enforce", "mx.elsewhere.example"));
        env.dns().update(records -> records.removeTxt("_mta-sts." + domain).mtaSts(domain, "2"));

        SentMails.Sent second = SENT.sendAnother(TlsScenarios.james(env), domain);

        assertThat(TlsScenarios.james(env).awaitLog(DeliveryLog.deferrals(domain).recipient(second.recipient).retry(1)
            .regex(), TlsScenarios.DELIVERY_TIMEOUT)).contains("is not an MX allowed", "enforce id=2", "mx.elsewhere.example");
        env.receivers().assertNoMessage(second.recipient, Duration.ofSeconds(3));
    }

    @Test
    void theMtaStsPolicyIsKeptOnDiskUnderVar(TestEnvironment env) {
        TlsScenarios.awaitDelivered(env, SENT.to("enforce-good.sts.test").recipient);
        assertThat(TlsScenarios.james(env).home().resolve("var/mtasts/enforce-good.sts.test.policy")).exists();
    }

    @Test
    void webAdminShowsWhatEachDomainPublishes(TestEnvironment env) {
        TlsScenarios.awaitDelivered(env, SENT.to("ee.dane.test").recipient);
        TlsScenarios.awaitDelivered(env, SENT.to("enforce-good.sts.test").recipient);
        JamesServer james = TlsScenarios.james(env);

        String dane = james.webAdmin().get("/tls-policy/effective?domain=ee.dane.test").body;
        String sts = james.webAdmin().get("/tls-policy/effective?domain=enforce-good.sts.test").body;

        assertThat(dane).contains("\"dane\":{\"enabled\":true", "\"mxStatus\":\"SECURE\"", "\"host\":\"mx-ee.dane.test\"",
            "\"tlsa\":\"USABLE\"", "\"records\":[\"3 1 1 ");
        assertThat(sts).contains("\"mtaSts\":{\"enabled\":true", "\"mode\":\"enforce\"", "\"id\":\"1\"",
            "\"mx\":[\"rx-valid.receivers.test\"]", "\"maxAge\":86400", "\"dane\":{\"enabled\":false}");
    }

    @Test
    void metricsCountAttemptsPerMechanism(TestEnvironment env) {
        TlsScenarios.awaitDelivered(env, SENT.to("ee.dane.test").recipient);
        TlsScenarios.awaitDelivered(env, SENT.to("enforce-good.sts.test").recipient);
        String metrics = TlsScenarios.james(env).webAdmin().get("/metrics").body;
        assertThat(metrics).contains("jamestls_mechanism_dane_tls", "jamestls_mechanism_mta_sts_tls",
            "jamestls_mechanism_mta_sts_published_policy");
    }
}
