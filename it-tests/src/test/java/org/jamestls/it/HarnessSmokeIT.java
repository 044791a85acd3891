package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.jamestls.it.support.DnsClient;
import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.ReceiverListener;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpConnection;
import org.jamestls.it.support.SmtpProbe;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsMode;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the harness itself (dnsmasq, Postfix receivers, James) without TlsRemoteDelivery: James's stock
 * RemoteDelivery (stock-remotedelivery-mailetcontainer.xml) relays a mail over STARTTLS to a Postfix
 * listener, and the receivers' TLS modes are what a JDK client observes.
 */
@ExtendWith(SharedEnvironment.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(Order.DEFAULT + 5) // after the classes on TlsScenarios.config's James: its own James (stock RemoteDelivery) starts once
class HarnessSmokeIT {

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void dnsmasqServesMxAndARecords(TestEnvironment env) throws Exception {
        env.dns().update(r -> r.mx("mx-only.smoke.test", "rx-tls-1.receivers.test", 10)
            .a("a-only.smoke.test", TestNetwork.RX_TLS_2_IP));
        DnsClient dns = env.dns().client();

        assertThat(dns.mx("mx-only.smoke.test")).containsExactly("10 rx-tls-1.receivers.test");
        assertThat(dns.a("rx-tls-1.receivers.test")).containsExactly(TestNetwork.RX_TLS_1_IP);
        // No MX but an A record: James falls back to the A record.
        assertThat(dns.mx("a-only.smoke.test")).isEmpty();
        assertThat(dns.a("a-only.smoke.test")).containsExactly(TestNetwork.RX_TLS_2_IP);
        DnsClient.Answer unknown = dns.query("unknown.smoke.test", DnsClient.TYPE_MX);
        assertThat(unknown.rcode).as("NXDOMAIN for names nobody configured").isEqualTo(3);
    }

    @Test
    @Order(1)
    void stockRemoteDeliveryRelaysOverStartTlsToPostfix(TestEnvironment env) {
        // Stock RemoteDelivery dials port 25 on the MX: the MX is the port-25 STARTTLS listener.
        env.dns().update(r -> r.mx("tls.smoke.test", "rx-port25.receivers.test", 10));
        JamesServer james = env.james(JamesConfig.stockRemoteDelivery());

        String subject = SmtpSubmitter.uniqueSubject("smoke-tls");
        String messageId = james.submitter().mail()
            .from("alice@sender.smoke.test")
            .to("bob@tls.smoke.test")
            .subject(subject)
            .body("Hello over STARTTLS\n.leading dot line\n")
            .send();

        ReceivedMessage received = env.receivers().awaitMessage(subject, DELIVERY_TIMEOUT);

        assertThat(received.recipient()).isEqualTo("bob@tls.smoke.test");
        assertThat(received.messageId()).isEqualTo(messageId);
        assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_PORT25);
        assertThat(received.tlsUsed()).as(received.receivedHeader()).isTrue();
        assertThat(received.tlsProtocol()).hasValueSatisfying(p -> assertThat(p).startsWith("TLSv1."));
        assertThat(received.tlsCipher()).isPresent();
        assertThat(received.protocol()).isEqualTo("ESMTPS");
        assertThat(received.heloName()).isEqualTo("relay.example.org");
        assertThat(received.clientIp()).startsWith("127.");
        assertThat(received.body()).contains(".leading dot line");
        // James resolved MX and A through dnsservice.xml -> dnsmasq.
        assertThat(env.dns().log()).contains("query[MX] tls.smoke.test").contains("query[A] rx-port25.receivers.test");
        assertThat(env.receivers().messagesFor("bob@tls.smoke.test")).hasSize(1);
        env.receivers().assertNoMessage("never-sent-" + subject, Duration.ofMillis(300));
    }

    @Test
    @Order(2) // James from the test above is still running
    void webAdminAnswersGetRequests(TestEnvironment env) {
        WebAdminClient webAdmin = env.james(JamesConfig.stockRemoteDelivery()).webAdmin();

        WebAdminClient.Response domains = webAdmin.get("/domains");
        assertThat(domains.status).as(domains.toString()).isEqualTo(200);
        assertThat(domains.body).startsWith("[");
        assertThat(webAdmin.get("/no-such-route").status).isEqualTo(404);
    }

    @Test
    void receiverModesAreWhatAJdkClientSees(TestEnvironment env) throws Exception {
        SmtpProbe.Result tls = env.receivers().probe(TestNetwork.RX_TLS_1);
        assertThat(tls.startTlsOffered).isTrue();
        assertThat(tls.handshakeSucceeded()).as(tls.toString()).isTrue();

        SmtpProbe.Result plain = env.receivers().probe(TestNetwork.RX_PLAIN);
        assertThat(plain.startTlsOffered).as(plain.toString()).isFalse();

        SmtpProbe.Result broken = env.receivers().probe(TestNetwork.RX_BROKEN);
        assertThat(broken.startTlsOffered).as(broken.toString()).isTrue();
        assertThat(broken.handshakeSucceeded()).as(broken.toString()).isFalse();
        assertThat(broken.handshakeError).isPresent();
    }

    @Test
    void receiversRejectAndTempfailByLocalPart(TestEnvironment env) throws Exception {
        ReceiverListener rx = env.receivers().listener(TestNetwork.RX_PLAIN);
        try (SmtpConnection c = SmtpConnection.open(rx.ip(), rx.port())) {
            c.expect(250, "EHLO probe.it.test");
            c.expect(250, "MAIL FROM:<alice@sender.smoke.test>");
            assertThat(c.command("RCPT TO:<reject-me@any.smoke.test>").code).isEqualTo(550);
            assertThat(c.command("RCPT TO:<tempfail-me@any.smoke.test>").code).isEqualTo(451);
            assertThat(c.command("RCPT TO:<anybody@any.smoke.test>").code).isEqualTo(250);
            c.command("QUIT");
        }
    }

    @Test
    void switchableReceiverChangesModeAtRuntime(TestEnvironment env) throws Exception {
        try {
            env.receivers().setMode(TestNetwork.RX_SWITCHABLE, TlsMode.BROKEN_TLS);
            assertThat(env.receivers().probe(TestNetwork.RX_SWITCHABLE).observedMode()).isEqualTo(TlsMode.BROKEN_TLS);
            env.receivers().setMode(TestNetwork.RX_SWITCHABLE, TlsMode.STARTTLS);
            assertThat(env.receivers().probe(TestNetwork.RX_SWITCHABLE).observedMode()).isEqualTo(TlsMode.STARTTLS);
        } finally {
            env.receivers().setMode(TestNetwork.RX_SWITCHABLE, TlsMode.NO_STARTTLS);
        }
    }

    @Test
    @Order(99) // stops the shared James; the next test asking for one starts it again
    void jamesRefusesToStartWhenAMailetRejectsItsConfiguration(TestEnvironment env) {
        // ToProcessor.init() throws when its required <processor> parameter is missing.
        String badMailetContainer = JamesConfig.resource(JamesConfig.STOCK_REMOTE_DELIVERY_RESOURCE)
            .replace("<mailet match=\"All\" class=\"PostmasterAlias\"/>",
                "<mailet match=\"All\" class=\"PostmasterAlias\"/>\n<mailet match=\"All\" class=\"ToProcessor\"/>");
        assertThat(badMailetContainer).contains("class=\"ToProcessor\"/>");

        JamesServer.StartupFailure failure = env.jamesExpectingStartupFailure(
            JamesConfig.samples().withConfFile("mailetcontainer.xml", badMailetContainer), Duration.ofSeconds(60));

        assertThat(failure.exitCode).as(failure.toString()).isEqualTo(1);
        assertThat(failure.log).contains("Unable to init mailet");
    }
}
