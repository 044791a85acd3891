package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * STRIPTLS: a proxy in front of a real Postfix removes STARTTLS from EHLO, refuses it (454) or fakes its
 * 220 and talks plaintext. Under required no message byte ever crosses the proxy and the mail ends in a
 * 5.7.10 DSN; ifavailable is downgraded by a stripped EHLO (it cannot tell) but never sends in clear after
 * it asked for TLS; no never asks and delivers in plaintext.
 */
@ExtendWith(SharedEnvironment.class)
class StripTlsIT {
    private static final Map<Fault, String> PROXY_IPS = new EnumMap<>(Map.of(
        Fault.STRIP_FROM_EHLO, "127.0.0.41", Fault.REJECT_STARTTLS, "127.0.0.42", Fault.FAKE_GO_AHEAD, "127.0.0.43"));
    private static final Map<Fault, SmtpFaultProxy> PROXIES = new EnumMap<>(Fault.class);
    private static final SentMails SENT = new SentMails("strip");
    @TestDns
    static final DnsRecords DNS = dns();

    enum Expected { DELIVERED_IN_PLAINTEXT, DEFERRED_THEN_BOUNCED }

    static Stream<Arguments> attacks() {
        return Stream.of(
            Arguments.of(Fault.STRIP_FROM_EHLO, "no", Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of(Fault.STRIP_FROM_EHLO, "ifavailable", Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of(Fault.STRIP_FROM_EHLO, "required", Expected.DEFERRED_THEN_BOUNCED, "does not offer STARTTLS (4.7.6)"),
            Arguments.of(Fault.REJECT_STARTTLS, "no", Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of(Fault.REJECT_STARTTLS, "ifavailable", Expected.DEFERRED_THEN_BOUNCED, "STARTTLS answered 454"),
            Arguments.of(Fault.REJECT_STARTTLS, "required", Expected.DEFERRED_THEN_BOUNCED, "STARTTLS answered 454"),
            Arguments.of(Fault.FAKE_GO_AHEAD, "no", Expected.DELIVERED_IN_PLAINTEXT, null),
            Arguments.of(Fault.FAKE_GO_AHEAD, "ifavailable", Expected.DEFERRED_THEN_BOUNCED, "TLS negotiation with"),
            Arguments.of(Fault.FAKE_GO_AHEAD, "required", Expected.DEFERRED_THEN_BOUNCED, "TLS negotiation with"));
    }

    @BeforeAll
    static void startProxiesAndSendOneMailPerCase(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        for (Map.Entry<Fault, String> proxy : PROXY_IPS.entrySet()) {
            PROXIES.put(proxy.getKey(), new SmtpFaultProxy(proxy.getKey(), proxy.getValue(), TestNetwork.RECEIVER_PORT,
                TestNetwork.RX_TLS_1_IP, TestNetwork.RECEIVER_PORT));
        }
        attacks().forEach(arguments -> SENT.send(james, domain((Fault) arguments.get()[0], (String) arguments.get()[1])));
    }

    /** {@code <attack>.<level>.strip.test} to the proxy making that attack. */
    private static DnsRecords dns() {
        DnsRecords.Builder records = DnsRecords.builder();
        PROXY_IPS.forEach((attack, ip) -> {
            records.a(proxyHost(attack), ip);
            for (String level : new String[] {"no", "ifavailable", "required"}) {
                records.mx(domain(attack, level), proxyHost(attack), 10);
            }
        });
        return records.build();
    }

    @AfterAll
    static void stopProxies() throws Exception {
        for (SmtpFaultProxy proxy : PROXIES.values()) {
            proxy.close();
        }
    }

    @ParameterizedTest(name = "{0} against tls={1}: {2}")
    @MethodSource("attacks")
    void attackAgainstLevel(Fault attack, String level, Expected expected, String reason, TestEnvironment env) {
        SentMails.Sent sent = SENT.to(domain(attack, level));
        String recipient = sent.recipient;
        String subject = sent.subject;
        if (expected == Expected.DELIVERED_IN_PLAINTEXT) {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.tlsUsed()).as(received.receivedHeader()).isFalse();
            assertThat(received.subject()).isEqualTo(subject);
        } else {
            ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sent.sender);
            assertThat(dsn.raw()).contains("Status: 5.7.10 ", reason, "tls=" + level);
            assertThat(env.receivers().countMessagesFor(recipient)).isZero();
            assertThat(PROXIES.get(attack).bytesFromClients())
                .as("no message byte crossed the proxy (its recording holds the session up to the attack)")
                .contains("EHLO relay.example.org")
                .doesNotContain(subject)
                .doesNotContain("RCPT TO:<" + recipient + ">");
        }
    }

    private static String domain(Fault attack, String level) {
        String prefix = attack == Fault.STRIP_FROM_EHLO ? "strip" : attack == Fault.REJECT_STARTTLS ? "reject" : "fake";
        return prefix + "." + level + ".strip.test";
    }

    private static String proxyHost(Fault attack) {
        return attack.name().toLowerCase().replace('_', '-') + ".proxy.test";
    }
}
