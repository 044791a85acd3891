package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;

import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.ReceiverListener;
import org.jamestls.it.support.ServerCertKind;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpProbe;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestCertificates;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TlsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The certificate-verification receivers ({@code CertificateReceivers}) are what they claim, as seen by a plain
 * JDK 17 client (the TLS stack James uses): EHLO, STARTTLS, handshake, EHLO over TLS. Fails if a listener or a
 * certificate is set up wrongly, so that the mailet's tlsVerify tests cannot pass for the wrong reason.
 */
@ExtendWith(SharedEnvironment.class)
class ReceiverCertificatesIT {

    private static final String TLS12_CIPHER = TestNetwork.RX_TLS12_CIPHER;
    /**
     * rx-clientcert without a client certificate: the JDK's TLSv1.3 handshake completes (Postfix logs an
     * "Anonymous TLS connection"), then smtpd answers EHLO with this and closes the connection.
     */
    private static final String NO_CLIENT_CERT =
        "EHLO over TLSv1.3: 421 4.7.1 rx-clientcert.receivers.test Error: No client certificate presented";

    /** What one probe must observe: TLS with this protocol (and cipher), or a failure with this message. */
    static final class Outcome {
        final String protocol;
        final String cipher;
        final boolean handshakeCompleted;
        final String error;

        private Outcome(String protocol, String cipher, boolean handshakeCompleted, String error) {
            this.protocol = protocol;
            this.cipher = cipher;
            this.handshakeCompleted = handshakeCompleted;
            this.error = error;
        }

        static Outcome tls(String protocol) {
            return new Outcome(protocol, null, true, null);
        }

        static Outcome tls(String protocol, String cipher) {
            return new Outcome(protocol, cipher, true, null);
        }

        /** The JDK's handshake throws; its exception says {@code error}. */
        static Outcome handshakeFails(String error) {
            return new Outcome(null, null, false, error);
        }

        /** The JDK's handshake returns, then the server aborts: the next read says {@code error}. */
        static Outcome failsAfterHandshake(String error) {
            return new Outcome(null, null, true, error);
        }

        void assertMatches(SmtpProbe.Result r) {
            assertThat(r.startTlsOffered).as("STARTTLS offered: %s", r).isTrue();
            assertThat(r.handshakeCompleted).as("handshake completed: %s", r).isEqualTo(handshakeCompleted);
            if (error == null) {
                assertThat(r.handshakeError).as(r.toString()).isEmpty();
                assertThat(r.tlsProtocol).as(r.toString()).contains(protocol);
                if (cipher != null) {
                    assertThat(r.tlsCipher).as(r.toString()).contains(cipher);
                }
            } else {
                assertThat(r.tlsProtocol).as(r.toString()).isEmpty();
                assertThat(r.handshakeError).as(r.toString()).hasValueSatisfying(e -> assertThat(e).contains(error));
            }
        }

        @Override
        public String toString() {
            return error == null ? protocol + (cipher == null ? "" : " " + cipher)
                : (handshakeCompleted ? "fails after handshake: " : "handshake fails: ") + error;
        }
    }

    /**
     * One row per listener: (a) a trust-all client without client certificate, (b) a client trusting only the
     * test CA, checking the name {@code <listener>.receivers.test} and offering the relay.example.org client
     * certificate (sent only where the server asks for one).
     */
    static Stream<Arguments> listeners() {
        String pkixNoPath = "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException:"
            + " unable to find valid certification path to requested target";
        return Stream.of(
            Arguments.of(TestNetwork.RX_VALID, Outcome.tls("TLSv1.3"), Outcome.tls("TLSv1.3")),
            Arguments.of(TestNetwork.RX_EXPIRED, Outcome.tls("TLSv1.3"), Outcome.handshakeFails(
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed")),
            Arguments.of(TestNetwork.RX_WRONGHOST, Outcome.tls("TLSv1.3"), Outcome.handshakeFails(
                "No subject alternative DNS name matching rx-wronghost.receivers.test found")),
            Arguments.of(TestNetwork.RX_SELFSIGNED, Outcome.tls("TLSv1.3"), Outcome.handshakeFails(pkixNoPath)),
            Arguments.of(TestNetwork.RX_UNTRUSTED, Outcome.tls("TLSv1.3"), Outcome.handshakeFails(pkixNoPath)),
            Arguments.of(TestNetwork.RX_CLIENTCERT, Outcome.failsAfterHandshake(NO_CLIENT_CERT), Outcome.tls("TLSv1.3")),
            Arguments.of(TestNetwork.RX_TLS12, Outcome.tls("TLSv1.2", TLS12_CIPHER),
                Outcome.tls("TLSv1.2", TLS12_CIPHER)));
    }

    @ParameterizedTest(name = "{0}: trust-all {1}; test CA + host name + client cert {2}")
    @MethodSource("listeners")
    void listenerAgainstJdkClients(String listenerName, Outcome trustAll, Outcome verifying, TestEnvironment env)
        throws Exception {
        ReceiverListener listener = env.receivers().listener(listenerName);
        TestCertificates certs = env.certificates();

        trustAll.assertMatches(SmtpProbe.probe(listener, TlsClient.trustAll()));
        verifying.assertMatches(SmtpProbe.probe(listener, TlsClient.trusting(certs.caPem())
            .verifyingHost(listener.myhostname())
            .withClientCertificate(certs.clientCertPem(), certs.clientKeyPkcs8Pem())));
    }

    @Test
    void clientCertListenerRejectsAVerifyingClientWithoutCertificate(TestEnvironment env) throws Exception {
        ReceiverListener listener = env.receivers().listener(TestNetwork.RX_CLIENTCERT);
        TlsClient noClientCert = TlsClient.trusting(env.certificates().caPem()).verifyingHost(listener.myhostname());

        Outcome.failsAfterHandshake(NO_CLIENT_CERT).assertMatches(SmtpProbe.probe(listener, noClientCert));
    }

    /**
     * Postfix lists the test CA as acceptable issuer in its CertificateRequest, and the JDK's default key manager
     * (SunX509, as used by James and the mailet) only offers a certificate from a listed issuer: a client
     * certificate from another CA is not sent at all, so the server sees the same as no certificate.
     */
    @Test
    void clientCertificateFromAnotherCaIsNotEvenSent(TestEnvironment env) throws Exception {
        ReceiverListener listener = env.receivers().listener(TestNetwork.RX_CLIENTCERT);
        TestCertificates certs = env.certificates();
        // The Other-CA server certificate and its key, offered as client certificate.
        TlsClient otherCaClient = TlsClient.trustAll().withClientCertificate(
            certs.serverChain(ServerCertKind.UNTRUSTED), certs.serverKey(ServerCertKind.UNTRUSTED));

        Outcome.failsAfterHandshake(NO_CLIENT_CERT).assertMatches(SmtpProbe.probe(listener, otherCaClient));
    }

    @Test
    void receivedHeaderNamesTheClientCertificate(TestEnvironment env) {
        ReceiverListener listener = env.receivers().listener(TestNetwork.RX_CLIENTCERT);
        TestCertificates certs = env.certificates();
        String subject = SmtpSubmitter.uniqueSubject("client-cert");

        new SmtpSubmitter(listener.ip(), listener.port())
            .withStartTls(TlsClient.trusting(certs.caPem()).verifyingHost(listener.myhostname())
                .withClientCertificate(certs.clientCertPem(), certs.clientKeyPkcs8Pem()))
            .mail().from("sender@senders.test").to("bob@clientcert.receivers-it.test").subject(subject)
            .helo(TestCertificates.CLIENT_CN).send();

        ReceivedMessage m = env.receivers().awaitMessage(subject, Duration.ofSeconds(30));
        assertThat(m.receiverName()).isEqualTo(TestNetwork.RX_CLIENTCERT);
        assertThat(m.tlsProtocol()).contains("TLSv1.3");
        assertThat(m.clientCertificateCn()).as(m.receivedHeader()).contains(TestCertificates.CLIENT_CN);
        assertThat(m.clientCertificateIssuer()).contains(TestCertificates.TEST_CA_CN);
        assertThat(m.receivedHeader())
            .contains("(Client CN \"relay.example.org\", Issuer \"JamesTls Test CA\" (verified OK))");
    }

    /** (d) rx-tls12: TLSv1.2 and one cipher suite only. */
    static Stream<Arguments> tls12Restrictions() {
        return Stream.of(
            Arguments.of("default JDK client", TlsClient.trustAll(), Outcome.tls("TLSv1.2", TLS12_CIPHER)),
            Arguments.of("TLSv1.3 only", TlsClient.trustAll().protocols("TLSv1.3"),
                Outcome.handshakeFails("Received fatal alert: protocol_version")),
            Arguments.of("TLSv1.2 only", TlsClient.trustAll().protocols("TLSv1.2"),
                Outcome.tls("TLSv1.2", TLS12_CIPHER)),
            Arguments.of("only TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                TlsClient.trustAll().cipherSuites("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                Outcome.handshakeFails("Received fatal alert: handshake_failure")),
            Arguments.of("only " + TLS12_CIPHER, TlsClient.trustAll().cipherSuites(TLS12_CIPHER),
                Outcome.tls("TLSv1.2", TLS12_CIPHER)));
    }

    @ParameterizedTest(name = "rx-tls12 against {0}: {2}")
    @MethodSource("tls12Restrictions")
    void tls12ListenerRestrictions(String clientDescription, TlsClient client, Outcome expected, TestEnvironment env)
        throws Exception {
        expected.assertMatches(SmtpProbe.probe(env.receivers().listener(TestNetwork.RX_TLS12), client));
    }
}
