package org.jamestls.it.support;

import java.util.function.UnaryOperator;

/**
 * The receivers of the certificate-verification matrix and how each is set up (all offer STARTTLS):
 * <ul>
 * <li>rx-valid, rx-expired, rx-wronghost, rx-selfsigned, rx-untrusted: the {@link ServerCertKind} of that name;
 * <li>rx-clientcert: the valid certificate; asks for and requires a client certificate issued by the test CA
 * (security level encrypt, so MAIL is refused before STARTTLS). A JDK client without a client certificate
 * completes the TLSv1.3 handshake and then gets {@code 421 4.7.1 <host> Error: No client certificate presented}
 * to its next command (EHLO), and the connection is closed;
 * <li>rx-tls12: the valid certificate; TLSv1.2 only, and only {@link TestNetwork#RX_TLS12_CIPHER}.
 * </ul>
 */
public final class CertificateReceivers {

    private static final String TLS12_ONLY = "!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.3";

    private CertificateReceivers() {
    }

    /** Adds the matrix listeners (on the builder's current port). */
    public static PostfixReceivers.Builder addTo(PostfixReceivers.Builder b, TestCertificates certs) {
        return b
            .listener(TestNetwork.RX_VALID, TestNetwork.RX_VALID_IP, TlsMode.STARTTLS,
                serving(certs, ServerCertKind.VALID))
            .listener(TestNetwork.RX_EXPIRED, TestNetwork.RX_EXPIRED_IP, TlsMode.STARTTLS,
                serving(certs, ServerCertKind.EXPIRED))
            .listener(TestNetwork.RX_WRONGHOST, TestNetwork.RX_WRONGHOST_IP, TlsMode.STARTTLS,
                serving(certs, ServerCertKind.WRONGHOST))
            .listener(TestNetwork.RX_SELFSIGNED, TestNetwork.RX_SELFSIGNED_IP, TlsMode.STARTTLS,
                serving(certs, ServerCertKind.SELFSIGNED))
            .listener(TestNetwork.RX_UNTRUSTED, TestNetwork.RX_UNTRUSTED_IP, TlsMode.STARTTLS,
                serving(certs, ServerCertKind.UNTRUSTED))
            .listener(TestNetwork.RX_CLIENTCERT, TestNetwork.RX_CLIENTCERT_IP, TlsMode.STARTTLS,
                l -> serving(certs, ServerCertKind.VALID).apply(l)
                    // smtpd_tls_req_ccert is only honoured at security level encrypt
                    .withSmtpdOption("smtpd_tls_security_level", "encrypt")
                    .withSmtpdOption("smtpd_tls_ask_ccert", "yes")
                    .withSmtpdOption("smtpd_tls_req_ccert", "yes")
                    .withSmtpdOption("smtpd_tls_CAfile", certs.caPem().toString())
                    .withSmtpdOption("smtpd_tls_ccert_verifydepth", "2")
                    // Without a client certificate the TLSv1.3 handshake completes, then smtpd answers the
                    // next command with "421 4.7.1 ... Error: No client certificate presented" and hangs up.
                    .withReadyMode(TlsMode.BROKEN_TLS))
            .listener(TestNetwork.RX_TLS12, TestNetwork.RX_TLS12_IP, TlsMode.STARTTLS,
                l -> serving(certs, ServerCertKind.VALID).apply(l)
                    .withSmtpdOption("smtpd_tls_protocols", TLS12_ONLY)
                    .withSmtpdOption("smtpd_tls_mandatory_protocols", TLS12_ONLY)
                    .withSmtpdOption("smtpd_tls_ciphers", "high")
                    .withSmtpdOption("smtpd_tls_mandatory_ciphers", "high")
                    .withSmtpdOption("tls_high_cipherlist", TestNetwork.RX_TLS12_CIPHER_OPENSSL));
    }

    private static UnaryOperator<ReceiverListener> serving(TestCertificates certs, ServerCertKind kind) {
        return l -> l.withCertificate(certs.serverChain(kind), certs.serverKey(kind));
    }
}
