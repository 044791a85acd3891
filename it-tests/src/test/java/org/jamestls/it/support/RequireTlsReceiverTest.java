package org.jamestls.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scripted REQUIRETLS receiver against a plain SMTP client, on an ephemeral port of 127.0.0.1 (no lock needed). */
class RequireTlsReceiverTest {
    @TempDir
    static Path certsDir;
    private static TestCertificates certificates;
    private static RequireTlsReceiver offering;
    private static RequireTlsReceiver notOffering;

    @BeforeAll
    static void start() throws IOException {
        certificates = TestCertificates.generate(certsDir.resolve("certs"));
        SSLContext tls = TlsServerContext.validReceiver(certificates);
        offering = RequireTlsReceiver.withRequireTls("rx-requiretls.test", "127.0.0.1", 0, tls);
        notOffering = RequireTlsReceiver.withoutRequireTls("rx-norequiretls.test", "127.0.0.1", 0, tls);
    }

    @AfterAll
    static void stop() throws Exception {
        offering.close();
        notOffering.close();
    }

    @ParameterizedTest(name = "[{index}] offers REQUIRETLS={0}, STARTTLS first={1}: EHLO has STARTTLS={2} REQUIRETLS={3}, MAIL ... REQUIRETLS -> {4}")
    @CsvSource({
        // offers, starttls, ehlo STARTTLS, ehlo REQUIRETLS, MAIL FROM ... REQUIRETLS
        "true,     false,    true,          false,           555",
        "true,     true,     false,         true,            250",
        "false,    false,    true,          false,           555",
        "false,    true,     false,         false,           555",
    })
    void requireTlsIsOfferedAndTakenOnlyAfterStartTls(boolean offers, boolean startTls, boolean ehloStartTls,
                                                      boolean ehloRequireTls, int mailReply) throws IOException {
        try (SmtpConnection c = connect(offers ? offering : notOffering)) {
            SmtpConnection.Reply ehlo = c.expect(250, "EHLO client.test");
            if (startTls) {
                c.startTls(TlsClient.trusting(certificates.caPem()));
                ehlo = c.expect(250, "EHLO client.test");
            }

            assertThat(ehlo.hasLine("STARTTLS")).isEqualTo(ehloStartTls);
            assertThat(ehlo.hasLine("REQUIRETLS")).isEqualTo(ehloRequireTls);
            assertThat(c.command("MAIL FROM:<a@sender.test> REQUIRETLS").code).isEqualTo(mailReply);
            c.command("QUIT");
        }
    }

    @Test
    void recordsEachTransactionWithParametersRecipientsChannelAndData() throws IOException {
        try (SmtpConnection c = connect(offering)) {
            c.expect(250, "EHLO client.test");
            c.expect(250, "MAIL FROM:<plain@sender.test> SIZE=42");
            c.expect(250, "RCPT TO:<one@rx.test>");
            c.expect(354, "DATA");
            c.sendRaw("Subject: plain\r\n\r\n..dot-stuffed line\r\n.\r\n");
            assertThat(c.readReply().code).isEqualTo(250);
            c.startTls(TlsClient.trusting(certificates.caPem()));
            c.expect(250, "EHLO client.test");
            c.expect(250, "MAIL FROM:<secure@sender.test> REQUIRETLS BODY=8BITMIME");
            c.expect(250, "RCPT TO:<two@rx.test>");
            c.expect(250, "RCPT TO:<three@rx.test>");
            c.expect(354, "DATA");
            c.sendRaw("Subject: secure\r\n\r\nbody\r\n.\r\n");
            assertThat(c.readReply().code).isEqualTo(250);
            c.command("QUIT");
        }

        RequireTlsReceiver.Transaction plain = offering.awaitTransactionsFor("one@rx.test", 1, Duration.ofSeconds(5)).get(0);
        RequireTlsReceiver.Transaction secure = offering.awaitTransactionsFor("three@rx.test", 1, Duration.ofSeconds(5)).get(0);
        assertThat(plain.mailFrom).isEqualTo("plain@sender.test");
        assertThat(plain.mailParameters).containsExactly("SIZE=42");
        assertThat(plain.hasParameter("requiretls")).isFalse();
        assertThat(plain.tls).isFalse();
        assertThat(plain.tlsProtocol).isEmpty();
        assertThat(plain.data).isEqualTo("Subject: plain\r\n\r\n.dot-stuffed line\r\n");
        assertThat(secure.mailFrom).isEqualTo("secure@sender.test");
        assertThat(secure.hasParameter("REQUIRETLS")).isTrue();
        assertThat(secure.hasParameter("body")).isTrue();
        assertThat(secure.recipients).containsExactly("two@rx.test", "three@rx.test");
        assertThat(secure.tls).isTrue();
        assertThat(secure.tlsProtocol).startsWith("TLSv1.");
        assertThat(secure.data).isEqualTo("Subject: secure\r\n\r\nbody\r\n");
    }

    private static SmtpConnection connect(RequireTlsReceiver receiver) throws IOException {
        return SmtpConnection.open("127.0.0.1", receiver.port());
    }
}
