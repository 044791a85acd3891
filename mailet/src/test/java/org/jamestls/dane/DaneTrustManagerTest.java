package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.jamestls.smtp.TlsSessionInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DaneTrustManagerTest {
    private static TestCerts.Issued ca;
    private static TestCerts.Issued leaf;

    @BeforeAll
    static void certificates() {
        ca = TestCerts.rootCa("Dane CA");
        leaf = TestCerts.leaf("mx.dane.test", ca, "mx.dane.test");
    }

    private static X509Certificate[] chain() {
        return new X509Certificate[] {leaf.certificate, ca.certificate};
    }

    @Test
    void acceptsAMatchingChain() throws Exception {
        DaneTrustManager tm = new DaneTrustManager(List.of(TlsaRecord.forCertificate(3, 1, 1, leaf.certificate)),
            ReferenceNames.of("mx.dane.test"));
        tm.checkServerTrusted(chain(), "ECDHE_ECDSA");
        assertThat(tm.getAcceptedIssuers()).isEmpty();
    }

    @Test
    void rejectsWithTheLeafDigestAndTheRecordsTried() {
        TlsaRecord stale = TlsaRecord.parse("3 1 1 " + "ab".repeat(32));
        TlsaRecord otherCa = TlsaRecord.forCertificate(2, 0, 1, TestCerts.rootCa("Other").certificate);
        DaneTrustManager tm = new DaneTrustManager(List.of(stale, otherCa), ReferenceNames.of("mx.dane.test"));
        assertThatThrownBy(() -> tm.checkServerTrusted(chain(), "ECDHE_ECDSA"))
            .isInstanceOf(CertificateException.class)
            .hasMessageStartingWith("no TLSA record matches: leaf CN=mx.dane.test sha256 spki="
                + Hex.format(TlsaRecord.forCertificate(3, 1, 1, leaf.certificate).data()))
            .hasMessageEndingWith("tried " + stale + ", " + otherCa);
    }

    @Test
    void needsAUsableRecord() {
        assertThatThrownBy(() -> new DaneTrustManager(List.of(TlsaRecord.parse("1 1 1 00")), ReferenceNames.of("mx.dane.test")))
            .hasMessageContaining("no usable TLSA record");
    }

    @Test
    void isNotForClients() {
        DaneTrustManager tm = new DaneTrustManager(List.of(TlsaRecord.parse("3 1 1 00")), ReferenceNames.of("mx.dane.test"));
        assertThatThrownBy(() -> tm.checkClientTrusted(chain(), "RSA")).isInstanceOf(CertificateException.class);
    }

    /**
     * Through JSSE: the MX's certificate names another host and the client socket asks for HTTPS endpoint
     * identification (as the delivery's verified profiles do); DANE-EE still accepts it (names do not
     * matter, RFC 7672 §3.1.1) and the session records what matched.
     */
    @Test
    void handshakeThroughJsseIgnoresEndpointIdentificationForDaneEe() throws Exception {
        TestCerts.Issued self = TestCerts.selfSignedLeaf("not-the-mx.test", "not-the-mx.test");
        TlsaRecord r = TlsaRecord.forCertificate(3, 1, 1, self.certificate);
        SSLContext client = new DaneTrustManager(List.of(r), ReferenceNames.of("mx.dane.test")).newSslContext(null);
        assertThat(handshake(self, client)).isEqualTo("dane-ee " + r);

        TlsaRecord wrong = TlsaRecord.forCertificate(3, 1, 1, leaf.certificate);
        SSLContext refusing = new DaneTrustManager(List.of(wrong), ReferenceNames.of("mx.dane.test")).newSslContext(null);
        assertThatThrownBy(() -> handshake(self, refusing)).isInstanceOf(SSLHandshakeException.class)
            .hasStackTraceContaining("no TLSA record matches");
    }

    private static String handshake(TestCerts.Issued server, SSLContext client) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("mx", server.keys.getPrivate(), "pw".toCharArray(), new Certificate[] {server.certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "pw".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
            .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(in.read());
                    out.flush();
                } catch (IOException e) {
                    // the client refused the handshake
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5000);
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(params);
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getInputStream().read();
                return String.valueOf(socket.getSession().getValue(TlsSessionInfo.VERIFICATION_SESSION_KEY));
            } finally {
                served.get();
            }
        }
    }
}
