package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsServerContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A proxy in front of a real (plaintext) Postfix breaks the session at one stage, for each TLS level. The
 * proxy offers STARTTLS and terminates TLS itself, so under ifavailable and required the fault strikes inside
 * the encrypted session. Every time: the mail is deferred with the failure logged, and once the fault is
 * repaired the retry delivers it exactly once — except after the final dot, where the receiver already has
 * it and the sender cannot know (the SMTP ambiguity): then the receiver gets it twice, which this test
 * counts rather than hides. Under ifavailable and required no SMTP command ever crossed in clear.
 */
@ExtendWith(SharedEnvironment.class)
class ConnectionFaultsIT {

    private static final String[] LEVELS = {"no", "ifavailable", "required"};

    /** fault, what the deferral says, copies at the receiver once repaired. */
    private static final Object[][] FAULTS = {
        {Fault.CONNECTION_REFUSED, "connection refused", 1},
        {Fault.RESET_BEFORE_GREETING, "connection to", 1},
        {Fault.GREETING_421, "refused the session: 421", 1},
        // the receiver offers CHUNKING, so the message went with MAIL FROM as BDAT: a loss after that reply may follow
        // the receiver's taking the mail, so it is uncertain too (the proxy dropped the bytes: one copy once repaired)
        {Fault.RESET_AFTER_MAIL_FROM, "delivery uncertain: connection lost", 1},
        // the 4 KB message and its final dot leave in one write before the proxy's reset arrives: to the client the
        // outcome is unknown (the receiver may have the mail), so it is deferred as uncertain, not tried elsewhere
        {Fault.RESET_DURING_DATA, "delivery uncertain: connection lost", 1},
        {Fault.RESET_AFTER_FINAL_DOT, "delivery uncertain: connection lost", 2},
    };

    /** {@code <fault>.<level>.faults.test} to the proxy making that fault (one proxy address per case). */
    @TestDns
    static final DnsRecords DNS = dns();

    private static DnsRecords dns() {
        DnsRecords.Builder records = DnsRecords.builder();
        faultsPerLevel().forEach(arguments -> {
            String domain = domain((Fault) arguments.get()[1], (String) arguments.get()[0]);
            records.a("proxy-" + domain, (String) arguments.get()[2]).mx(domain, "proxy-" + domain, 10);
        });
        return records.build();
    }

    static Stream<Arguments> faultsPerLevel() {
        List<Arguments> cases = new ArrayList<>();
        int proxy = 0;
        for (String level : LEVELS) {
            for (Object[] fault : FAULTS) {
                cases.add(Arguments.of(level, fault[0], "127.0.0." + (TestNetwork.CONNECTION_FAULT_PROXY_FIRST + proxy++), fault[1], fault[2]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "tls={0}, {1}: deferred, then delivered {4} time(s) once repaired")
    @MethodSource("faultsPerLevel")
    void faultDefersAndTheRepairDelivers(String level, Fault fault, String proxyIp, String logged, int copies,
            TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String domain = domain(fault, level);
        String recipient = TlsScenarios.uniqueRecipient("fault", domain);
        try (SmtpFaultProxy proxy = SmtpFaultProxy.terminatingTls(fault, proxyIp, TestNetwork.RECEIVER_PORT,
                TestNetwork.RX_PLAIN_IP, TestNetwork.RECEIVER_PORT, TlsServerContext.validReceiver(env.certificates()))) {
            james.submitter().mail().from(TlsScenarios.uniqueSender("fault")).to(recipient).send();

            String deferral = james.awaitLog(DeliveryLog.deferrals(domain).retry(1).regex(), TlsScenarios.DELIVERY_TIMEOUT);
            assertThat(deferral).contains(logged);
            proxy.heal();

            TlsScenarios.awaitDelivered(env, recipient);
            env.receivers().assertNoMessage("never-" + recipient, Duration.ofSeconds(3));
            assertThat(env.receivers().countMessagesFor(recipient)).isEqualTo(copies);
            if (level.equals("no")) {
                assertThat(proxy.tlsSessions()).isZero();
                assertThat(proxy.bytesFromClients()).contains("MAIL FROM:<");
            } else {
                assertThat(proxy.tlsSessions()).as("every session that got to SMTP commands used TLS").isPositive();
                assertThat(proxy.bytesFromClients()).as("no SMTP command in clear after STARTTLS")
                    .doesNotContain("MAIL FROM:<").doesNotContain("RCPT TO:<");
            }
        }
    }

    /** {@code reset-during-data.required.faults.test}; its tls level is set in it-tls-policy.xml. */
    static String domain(Fault fault, String level) {
        return fault.name().toLowerCase().replace('_', '-') + "." + level + ".faults.test";
    }
}
