package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.Processes;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Remembered broken TLS ({@code tlsRememberBroken 15 s}) against a real James and real Postfix: rx-broken offers
 * STARTTLS but only TLSv1, so every handshake fails. Under ifavailable the first attempt fails its handshake and is
 * deferred, the retry goes in plaintext without STARTTLS, so does the next mail, until the entry expires; then TLS is
 * tried (and fails, and is remembered) again; WebAdmin lists and forgets the entry. Under required, against a proxy
 * that fakes STARTTLS's go-ahead, nothing is remembered and the mail bounces 5.7.10 as ever.
 */
@ExtendWith(SharedEnvironment.class)
class RememberBrokenTlsIT {
    private static final String DOMAIN = "remember.broken.test";
    private static final String REQUIRED = "required.broken.test";
    private static final String BROKEN_HOST = TestNetwork.RX_BROKEN + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    private static final String FAKE_HOST = "fake-starttls.broken.test";
    /** tlsRememberBroken of the domain (it-tls-policy.xml), and a bound on the expiry wait. */
    private static final Duration REMEMBERED = Duration.ofSeconds(15);

    private static final SentMails SENT = new SentMails("broken");
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx(DOMAIN, BROKEN_HOST, 10)
        .a(FAKE_HOST, TestNetwork.FAKE_STARTTLS_PROXY_IP).mx(REQUIRED, FAKE_HOST, 10)
        .build();
    private static final DeliveryLog.Attempts FAILED_HANDSHAKE = DeliveryLog.attempts(DOMAIN)
        .outcome("failed: TLS negotiation with").outcomeContaining("mechanism=policy effectiveTls=ifavailable");
    private static final DeliveryLog.Attempts PLAINTEXT_BY_MEMORY = DeliveryLog.attempts(DOMAIN)
        .outcome("delivered 1/1 over plaintext").outcomeContaining("mechanism=broken-tls effectiveTls=no");
    private static SmtpFaultProxy fakeStartTls;

    @BeforeAll
    static void startProxy() throws Exception {
        fakeStartTls = new SmtpFaultProxy(Fault.FAKE_GO_AHEAD, TestNetwork.FAKE_STARTTLS_PROXY_IP,
            TestNetwork.RECEIVER_PORT, TestNetwork.RX_TLS_1_IP, TestNetwork.RECEIVER_PORT);
    }

    @AfterAll
    static void forgetAndStop(TestEnvironment env) throws Exception {
        // the memory lives as long as the shared James: leave it as other classes expect it
        TlsScenarios.james(env).webAdmin().delete("/tls-policy/broken/" + TestNetwork.RX_BROKEN_IP);
        fakeStartTls.close();
    }

    @Test
    void aFailedHandshakeIsRememberedAcrossRetriesUntilItExpires(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        WebAdminClient webAdmin = james.webAdmin();
        double usedBefore = webAdmin.metric("jamestls_broken_tls_used");

        SentMails.Sent first = SENT.send(james, DOMAIN);
        ReceivedMessage firstReceived = TlsScenarios.awaitDelivered(env, first.recipient);

        assertThat(firstReceived.tlsUsed()).isFalse();
        awaitAttempts(james, FAILED_HANDSHAKE, 1);
        awaitAttempts(james, PLAINTEXT_BY_MEMORY, 1);
        assertThat(james.logLines(DeliveryLog.deferrals(DOMAIN).recipient(first.recipient).retry(1).regex())).hasSize(1);
        WebAdminClient.Response listed = webAdmin.get("/tls-policy/broken");
        assertThat(listed.body).contains("\"address\":\"" + TestNetwork.RX_BROKEN_IP + "\",\"port\":"
            + TestNetwork.RECEIVER_PORT + ",\"sourceAddress\":null,\"mxHost\":\"" + BROKEN_HOST + "\"",
            "\"failure\":\"TLS negotiation with " + BROKEN_HOST, "\"uses\":1");
        assertThat(webAdmin.get("/tls-policy/effective?domain=" + DOMAIN).body).contains(
            "\"none\":{\"mx\":[{\"mx\":\"" + BROKEN_HOST, "\"mechanism\":\"broken-tls\",\"effectiveTls\":\"no\"",
            "\"startTls\":\"never\"", "\"brokenTls\":{\"address\":\"" + TestNetwork.RX_BROKEN_IP);

        // while remembered, the next mail goes in plaintext at once, without a failed handshake first
        SentMails.Sent second = SENT.sendAnother(james, DOMAIN);
        assertThat(TlsScenarios.awaitDelivered(env, second.recipient).tlsUsed()).isFalse();
        awaitAttempts(james, PLAINTEXT_BY_MEMORY, 2);
        assertThat(james.logLines(DeliveryLog.attempts(DOMAIN).regex())).as("no other attempt").hasSize(3);
        assertThat(james.logLines(DeliveryLog.deferrals(DOMAIN).recipient(second.recipient).regex())).isEmpty();
        assertThat(webAdmin.metric("jamestls_broken_tls_used")).isEqualTo(usedBefore + 2);
        assertThat(webAdmin.metric("jamestls_mechanism_broken_tls_plaintext")).isGreaterThanOrEqualTo(2);

        // once the entry has expired, TLS is tried again first
        assertThat(Processes.await(REMEMBERED.plusSeconds(15), () -> !webAdmin.get("/tls-policy/broken").body
            .contains(TestNetwork.RX_BROKEN_IP))).as("the entry expires after " + REMEMBERED).isTrue();
        SentMails.Sent third = SENT.sendAnother(james, DOMAIN);
        assertThat(TlsScenarios.awaitDelivered(env, third.recipient).tlsUsed()).isFalse();
        awaitAttempts(james, FAILED_HANDSHAKE, 2);
        awaitAttempts(james, PLAINTEXT_BY_MEMORY, 3);

        // forgotten on request
        assertThat(webAdmin.delete("/tls-policy/broken/" + TestNetwork.RX_BROKEN_IP).status).isEqualTo(204);
        assertThat(webAdmin.get("/tls-policy/broken").body).doesNotContain(TestNetwork.RX_BROKEN_IP);
        assertThat(webAdmin.delete("/tls-policy/broken/" + TestNetwork.RX_BROKEN_IP).status).isEqualTo(404);
    }

    @Test
    void requiredNeverRemembersAndNeverSendsInPlaintext(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        SentMails.Sent sent = SENT.send(james, REQUIRED);

        ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sent.sender);

        assertThat(dsn.raw()).contains("Status: 5.7.10 ", "TLS negotiation with " + FAKE_HOST);
        assertThat(env.receivers().countMessagesFor(sent.recipient)).isZero();
        assertThat(james.logLines(DeliveryLog.attempts(REQUIRED).outcomeContaining("mechanism=broken-tls").regex()))
            .isEmpty();
        assertThat(james.webAdmin().get("/tls-policy/broken").body).doesNotContain(TestNetwork.FAKE_STARTTLS_PROXY_IP);
        assertThat(fakeStartTls.bytesFromClients()).doesNotContain("RCPT TO:<" + sent.recipient + ">");
    }

    /** Waits until {@code count} attempt lines of the domain match (each attempt logs once, just after its end). */
    private static void awaitAttempts(JamesServer james, DeliveryLog.Attempts lines, int count) {
        assertThat(Processes.await(TlsScenarios.DELIVERY_TIMEOUT, () -> james.logLines(lines.regex()).size() >= count))
            .as(count + " x " + lines).isTrue();
        assertThat(james.logLines(lines.regex())).as(lines.toString()).hasSize(count);
    }
}
