package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every precedence step of it-tls-policy.xml end to end, plus binding assignment: each case picks a
 * scope whose value differs from the next, less specific one, so the receiver's Received header
 * (TLS or not, client address, HELO) shows which scope won.
 */
@ExtendWith(SharedEnvironment.class)
class PolicyPrecedenceIT {
    /** The domains named in it-tls-policy.xml's precedence scopes, and one named nowhere (other.prec.test). */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("gdom.prec.test", "rx-tls-1.receivers.test", 10)
        .mx("grpdom.prec.test", "rx-tls-1.receivers.test", 10)
        .mx("both.prec.test", "rx-tls-1.receivers.test", 10)
        .mx("other.prec.test", "rx-tls-1.receivers.test", 10)
        .build();


    static Stream<Arguments> steps() {
        return Stream.of(
            Arguments.of("domain in binding", "both.prec.test", "b1", false, "binding b1 / domain both.prec.test", "127.0.0.51", "b1.bind.test"),
            Arguments.of("domain in group", "grpdom.prec.test", "b1", true, "binding group grp / domain grpdom.prec.test", "127.0.0.51", "b1.bind.test"),
            Arguments.of("binding", "other.prec.test", "b1", false, "binding b1", "127.0.0.51", "b1.bind.test"),
            Arguments.of("group", "other.prec.test", "b2", true, "binding group grp", "127.0.0.52", "b2.bind.test"),
            Arguments.of("global domain", "gdom.prec.test", "solo", true, "global domain gdom.prec.test", "127.0.0.53", "solo.bind.test"),
            Arguments.of("global", "other.prec.test", null, false, "global", "127.0.0.1", "relay.example.org"));
    }

    @ParameterizedTest(name = "{0}: {1} via {2} -> TLS {3}")
    @MethodSource("steps")
    void mostSpecificScopeDecides(String step, String domain, String binding, boolean tlsExpected, String decidedBy,
                                  String sourceAddress, String heloName, TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("prec", domain);

        SmtpSubmitter.Mail mail = james.submitter().mail().from(TlsScenarios.uniqueSender("prec")).to(recipient);
        if (binding != null) {
            mail.header("X-Binding", binding);
        }
        mail.send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.tlsUsed()).as(received.receivedHeader()).isEqualTo(tlsExpected);
        assertThat(received.clientIp()).isEqualTo(sourceAddress);
        assertThat(received.heloName()).isEqualTo(heloName);
        assertThat(received.header("X-Binding")).as("binding header is removed before sending").isEmpty();
        assertThat(james.logLines(DeliveryLog.attempts(domain).binding(binding == null ? "none" : binding).decidedBy(decidedBy)
            .regex())).isNotEmpty();
    }

    @Test
    void groupNameSpreadsMailOverItsBindingsRoundRobin(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        List<String> recipients = Stream.of(1, 2, 3, 4)
            .map(i -> "rr" + i + "-" + SmtpSubmitter.uniqueSubject("u").toLowerCase() + "@other.prec.test")
            .collect(Collectors.toList());

        recipients.forEach(recipient -> james.submitter().mail().from(TlsScenarios.uniqueSender("rr")).to(recipient)
            .header("X-Binding", "grp").send());

        List<String> sources = recipients.stream()
            .map(recipient -> TlsScenarios.awaitDelivered(env, recipient).clientIp())
            .collect(Collectors.toList());
        assertThat(sources).containsOnly("127.0.0.51", "127.0.0.52");
        assertThat(sources.stream().filter("127.0.0.51"::equals).count()).isEqualTo(2);
    }

    @Test
    void unknownBindingIsLoggedAndTheMailGoesOutWithoutBinding(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("unknown", "other.prec.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("unknown")).to(recipient).header("X-Binding", "no-such-binding").send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.clientIp()).isEqualTo("127.0.0.1");
        assertThat(received.header("X-Binding")).isEmpty();
        assertThat(james.logLines("unknown binding or group 'no-such-binding'")).isNotEmpty();
    }
}
