package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may choose a binding, over real SMTP submission to the shared James (sample bindingHeaderFrom =
 * authorizedAddresses, smtpserver.xml's 127.0.0.0/8): an SMTP-authenticated user's {@code X-Binding} is ignored,
 * logged and removed, even from an authorized address; the operator's injector, relaying without authentication
 * from an authorized network, still chooses. Binding {@code solo} of it-tls-policy.xml sends from 127.0.0.53 as
 * solo.bind.test; without a binding the mail leaves from 127.0.0.1 as relay.example.org.
 */
@ExtendWith(SharedEnvironment.class)
class BindingHeaderTrustIT {
    private static final String DOMAIN = "other.prec.test";
    /** Its own MX record: every IT declares the domains it sends to (alone or first in a run, nothing else has). */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder().mx(DOMAIN, "rx-tls-1.receivers.test", 10).build();

    @Test
    void anAuthenticatedUsersBindingHeaderIsIgnoredLoggedAndRemoved(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("authbind", DOMAIN);

        TlsScenarios.authenticatedSubmitter(james).mail().from(TlsScenarios.SUBMISSION_USER).to(recipient)
            .header("X-Binding", "solo").send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.clientIp()).as("no binding: the default source address").isEqualTo("127.0.0.1");
        assertThat(received.heloName()).isEqualTo("relay.example.org");
        assertThat(received.header("X-Binding")).as("the header never leaves").isEmpty();
        String warning = james.awaitLog("Untrusted binding header ignored and removed: mail=\\S+ sender=<"
            + Pattern.quote(TlsScenarios.SUBMISSION_USER) + "> remoteAddress=127\\.0\\.0\\.1 header=X-Binding value='solo'"
            + " reason=SMTP AUTH user " + Pattern.quote(TlsScenarios.SUBMISSION_USER) + " is not trusted",
            TlsScenarios.DELIVERY_TIMEOUT);
        assertThat(warning).contains("bindingHeaderFrom: authorizedAddresses");
        // the attempt line is written once the receiver has answered the final dot: it may come after the mail lands
        assertThat(james.awaitLog("Delivery attempt: .*domain=" + Pattern.quote(DOMAIN) + " .*binding=none .*",
            TlsScenarios.DELIVERY_TIMEOUT)).isNotEmpty();
    }

    @Test
    void anInjectorRelayingFromAnAuthorizedNetworkChoosesTheBinding(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("injector", DOMAIN);

        String sender = TlsScenarios.uniqueSender("injector");

        james.submitter().mail().from(sender).to(recipient).header("X-Binding", "solo").send();

        ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(received.clientIp()).isEqualTo("127.0.0.53");
        assertThat(received.heloName()).isEqualTo("solo.bind.test");
        assertThat(received.header("X-Binding")).isEmpty();
        assertThat(james.logLines("Untrusted binding header .* sender=<" + Pattern.quote(sender) + ">")).isEmpty();
    }
}
