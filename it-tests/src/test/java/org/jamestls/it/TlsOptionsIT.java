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
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * tlsVerify x receiver certificate (valid, expired, wrong host, self-signed, untrusted CA), client
 * certificates in each key format against a receiver that requires one, and protocol/cipher
 * restrictions, through a real James and real Postfix receivers. Every mail is sent up front so the
 * deferrals and DSNs of all failing cases run in parallel.
 */
@ExtendWith(SharedEnvironment.class)
class TlsOptionsIT {
    private static final String[] VERIFY_MODES = {"no", "ca", "host", "optional"};
    private static final String[] CERTIFICATE_KINDS = {"valid", "expired", "wronghost", "selfsigned", "untrusted"};
    private static final SentMails SENT = new SentMails("opt");
    @TestDns
    static final DnsRecords DNS = dns();

    /** {@code <tlsVerify>.<certificate kind>.verify.test} to the receiver with that certificate, and the rest. */
    private static DnsRecords dns() {
        DnsRecords.Builder records = DnsRecords.builder();
        for (String mode : VERIFY_MODES) {
            for (String kind : CERTIFICATE_KINDS) {
                records.mx(mode + "." + kind + ".verify.test", "rx-" + kind + ".receivers.test", 10);
            }
        }
        for (String keyFormat : new String[] {"pkcs8", "pkcs1", "sec1", "none"}) {
            records.mx(keyFormat + ".clientcert.test", "rx-clientcert.receivers.test", 10);
        }
        for (String restriction : new String[] {"tls13only", "othercipher", "matching"}) {
            records.mx(restriction + ".restrict.test", "rx-tls12.receivers.test", 10);
        }
        return records.build();
    }

    @BeforeAll
    static void sendOneMailPerDomain(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        Stream.of(verifyMatrix(), clientCertificates(), restrictions())
            .flatMap(cases -> cases)
            .map(arguments -> (String) arguments.get()[0])
            .forEach(domain -> SENT.send(james, domain));
    }

    /** domain, delivered?, recorded verification (prefix) or failure text. */
    static Stream<Arguments> verifyMatrix() {
        return Stream.of(
            Arguments.of("no.valid.verify.test", true, "not-verified"),
            Arguments.of("no.expired.verify.test", true, "not-verified"),
            Arguments.of("no.wronghost.verify.test", true, "not-verified"),
            Arguments.of("no.selfsigned.verify.test", true, "not-verified"),
            Arguments.of("no.untrusted.verify.test", true, "not-verified"),
            Arguments.of("ca.valid.verify.test", true, "verified-ca"),
            Arguments.of("ca.expired.verify.test", false, "validity check failed"),
            Arguments.of("ca.wronghost.verify.test", true, "verified-ca"),
            Arguments.of("ca.selfsigned.verify.test", false, "unable to find valid certification path"),
            Arguments.of("ca.untrusted.verify.test", false, "unable to find valid certification path"),
            Arguments.of("host.valid.verify.test", true, "verified-host"),
            Arguments.of("host.expired.verify.test", false, "validity check failed"),
            Arguments.of("host.wronghost.verify.test", false, "No subject alternative DNS name matching rx-wronghost.receivers.test"),
            Arguments.of("host.selfsigned.verify.test", false, "unable to find valid certification path"),
            Arguments.of("host.untrusted.verify.test", false, "unable to find valid certification path"),
            Arguments.of("optional.valid.verify.test", true, "verified-host"),
            Arguments.of("optional.expired.verify.test", true, "failed: "),
            Arguments.of("optional.wronghost.verify.test", true, "failed: No subject alternative DNS name"),
            Arguments.of("optional.selfsigned.verify.test", true, "failed: "),
            Arguments.of("optional.untrusted.verify.test", true, "failed: "));
    }

    @ParameterizedTest(name = "{0}: delivered={1} ({2})")
    @MethodSource("verifyMatrix")
    void tlsVerifyAgainstReceiverCertificate(String domain, boolean delivered, String expected, TestEnvironment env) {
        String recipient = SENT.to(domain).recipient;
        if (delivered) {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.tlsUsed()).as(received.receivedHeader()).isTrue();
            assertThat(TlsScenarios.outcomeLine(env, "delivered", recipient)).contains("tls-verification=\"" + expected);
        } else {
            assertDeferredThenBounced(env, domain, "5.7.10", "verify-failed", expected);
        }
    }

    /** domain, delivered?, expected client certificate CN at the receiver, or the failure text. */
    static Stream<Arguments> clientCertificates() {
        return Stream.of(
            Arguments.of("pkcs8.clientcert.test", true, "relay.example.org"),
            Arguments.of("pkcs1.clientcert.test", true, "relay.example.org"),
            Arguments.of("sec1.clientcert.test", true, "relay.example.org"),
            Arguments.of("none.clientcert.test", false, "No client certificate presented"));
    }

    @ParameterizedTest(name = "{0}: delivered={1}")
    @MethodSource("clientCertificates")
    void clientCertificateInEachKeyFormat(String domain, boolean delivered, String expected, TestEnvironment env) {
        String recipient = SENT.to(domain).recipient;
        if (delivered) {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.receiverName()).isEqualTo(TestNetwork.RX_CLIENTCERT);
            assertThat(received.clientCertificateCn()).as(received.receivedHeader()).contains(expected);
        } else {
            // the receiver refuses EHLO after STARTTLS with 421 4.7.1: its own status is kept, made permanent
            assertDeferredThenBounced(env, domain, "5.7.1", "greeting-rejected", expected);
        }
    }

    /** domain, delivered?, expected protocol+cipher or failure text. */
    static Stream<Arguments> restrictions() {
        return Stream.of(
            Arguments.of("tls13only.restrict.test", false, "protocol_version"),
            Arguments.of("othercipher.restrict.test", false, "handshake_failure"),
            Arguments.of("matching.restrict.test", true, "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    }

    @ParameterizedTest(name = "{0}: delivered={1} ({2})")
    @MethodSource("restrictions")
    void protocolAndCipherRestrictions(String domain, boolean delivered, String expected, TestEnvironment env) {
        String recipient = SENT.to(domain).recipient;
        if (delivered) {
            ReceivedMessage received = TlsScenarios.awaitDelivered(env, recipient);
            assertThat(received.tlsProtocol()).contains("TLSv1.2");
            assertThat(TlsScenarios.outcomeLine(env, "delivered", recipient)).contains("tls-protocol=\"TLSv1.2\"",
                "tls-cipher=\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"");
            assertThat(TlsScenarios.james(env).logLines(DeliveryLog.attempts(domain).outcomeContaining("over TLS " + expected)
                .regex())).isNotEmpty();
        } else {
            assertDeferredThenBounced(env, domain, "5.7.10", "handshake-failed", expected);
        }
    }

    private static void assertDeferredThenBounced(TestEnvironment env, String domain, String status, String failureKind,
                                                  String expected) {
        String sender = SENT.to(domain).sender;
        String recipient = SENT.to(domain).recipient;
        ReceivedMessage dsn = TlsScenarios.awaitDsn(env, sender);
        assertThat(dsn.raw()).contains("Status: " + status + " ", expected, recipient);
        assertThat(env.receivers().countMessagesFor(recipient)).as("nothing reached the receiver").isZero();
        assertThat(TlsScenarios.outcomeLine(env, "bounces", recipient)).contains("failure=\"" + failureKind + ": ", "channel=\"none\"");
    }
}
