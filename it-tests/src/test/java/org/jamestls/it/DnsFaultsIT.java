package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the real DNS answers decides between bouncing at once, deferring, and delivering once DNS is
 * repaired: NXDOMAIN and null MX bounce at once, an MX host without an address and an unanswered query
 * defer.
 */
@ExtendWith(SharedEnvironment.class)
class DnsFaultsIT {

    /** A null MX, an MX host without address, a query never answered, one answered SERVFAIL; nxdomain has nothing. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("nullmx.dnsfault.test", ".", 0)
        .mx("noaddress.dnsfault.test", "mx-without-address.dnsfault.test", 10)
        .unanswered("timeout.dnsfault.test")
        .servfail("servfail.dnsfault.test")
        .build();

    /** domain, the DSN's status and text; no deferral happens first. */
    static Stream<Arguments> immediateBounces() {
        return Stream.of(
            Arguments.of("nxdomain.dnsfault.test", "Status: 5.1.2 ", "no MX or address record for nxdomain.dnsfault.test"),
            Arguments.of("nullmx.dnsfault.test", "Status: 5.1.10 ", "does not accept mail (null MX, RFC 7505)"));
    }

    @ParameterizedTest(name = "{0} bounces at once: {1}")
    @MethodSource("immediateBounces")
    void permanentDnsAnswersBounceAtOnce(String domain, String status, String text, TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String sender = TlsScenarios.uniqueSender("dns");

        james.submitter().mail().from(sender).to(TlsScenarios.uniqueRecipient("dns", domain)).send();

        ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sender);
        assertThat(dsn.raw()).contains(status, text);
        assertThat(james.logLines(DeliveryLog.deferrals(domain).regex())).isEmpty();
    }

    @Test
    void mxHostWithoutAddressIsDeferredThenBounced(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String sender = TlsScenarios.uniqueSender("dns");

        james.submitter().mail().from(sender).to(TlsScenarios.uniqueRecipient("dns", "noaddress.dnsfault.test")).send();

        assertThat(james.awaitLog(DeliveryLog.deferrals("noaddress.dnsfault.test").retry(1).regex(), TlsScenarios.DELIVERY_TIMEOUT))
            .contains("no address for the MX hosts of noaddress.dnsfault.test", "(4.4.4)");
        assertThat(TlsScenarios.awaitDsn(env, sender).raw()).contains("Status: 5.4.4 ");
    }

    /** Both are temporary: deferred on the schedule, delivered once the DNS answers again. */
    @ParameterizedTest(name = "{0} is deferred (4.4.3) and delivered once DNS answers")
    @ValueSource(strings = {"timeout.dnsfault.test", "servfail.dnsfault.test"})
    void temporaryDnsFailureIsDeferredAndDeliveredOnceDnsAnswers(String domain, TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("dns", domain);

        james.submitter().mail().from(TlsScenarios.uniqueSender("dns")).to(recipient).send();

        assertThat(james.awaitLog(DeliveryLog.deferrals(domain).retry(1).regex(), TlsScenarios.BOUNCE_TIMEOUT))
            .contains("temporary DNS failure looking up MX for " + domain + " (4.4.3)");
        env.dns().update(records -> records.remove(domain).mx(domain, "rx-tls-1.receivers.test", 10));

        assertThat(TlsScenarios.awaitDelivered(env, recipient).receiverName()).isEqualTo("rx-tls-1");
    }
}
