package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.jamestls.policy.TlsVerify;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tlsVerify against a receiver whose self-signed certificate names mx.scripted.test, with that
 * certificate as tlsCa (trusted) or without (JDK trust store: untrusted), and with the MX named right
 * or wrong. The verification result is what the session recorded.
 */
class TlsVerificationTest {
    private static SSLContext serverContext;
    private static Path caPem;

    @BeforeAll
    static void makeCertificate(@TempDir Path directory) throws Exception {
        serverContext = ScriptedSmtpServer.selfSignedServerContext(directory, "mx.scripted.test");
        caPem = directory.resolve("server.pem");
    }

    @ParameterizedTest(name = "tlsVerify={0} trusted={1} mx={2} -> delivered={3} ({4})")
    @CsvSource({
        "NO,       false, mx.scripted.test, true,  not-verified",
        "CA,       true,  other.test,       true,  verified-ca",
        "CA,       false, mx.scripted.test, false, verify-failed",
        "HOST,     true,  mx.scripted.test, true,  verified-host",
        "HOST,     true,  other.test,       false, verify-failed",
        "HOST,     false, mx.scripted.test, false, verify-failed",
        "OPTIONAL, false, mx.scripted.test, true,  failed:",
        "OPTIONAL, true,  other.test,       true,  failed:",
        "OPTIONAL, true,  mx.scripted.test, true,  verified-host"
    })
    void verificationModes(TlsVerify verify, boolean trusted, String mxName, boolean delivered, String expected) throws Exception {
        TlsClientSettings settings = new TlsClientSettings(verify,
            trusted ? Optional.of(caPem.toUri().toString()) : Optional.empty(), Optional.empty(), Optional.empty(),
            List.of(), List.of());
        ConnectionPlan plan = new ConnectionPlan(Optional.empty(), "relay.test", StartTlsMode.MANDATORY,
            new TlsClientContexts(url -> {
                if (!url.equals(caPem.toUri().toString())) {
                    throw new FileNotFoundException(url);
                }
                return Files.newInputStream(caPem);
            }).profile(settings));

        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS, serverContext)) {
            HostAttemptResult result = new HostDelivery(5000, 5000, TestTls.noReuse()).attempt(
                new MxTarget(mxName, InetAddress.getLoopbackAddress(), server.port()), plan,
                MailImpl.builder().name("m").sender("a@source.test").addRecipient("b@dest.test")
                    .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("t")).build(),
                List.of(new MailAddress("b@dest.test")));

            assertThat(server.dataReceived()).isEqualTo(delivered);
            if (delivered) {
                assertThat(result.tls().orElseThrow().verification()).startsWith(expected);
            } else {
                assertThat(result.connectionFailure().orElseThrow().kind().label()).isEqualTo(expected);
                assertThat(result.connectionFailure().orElseThrow().enhancedStatus()).isEqualTo("4.7.5");
            }
        }
    }
}
