package org.jamestls.tlsrpt;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.jamestls.dane.TestCerts;
import org.jamestls.policy.TlsVerify;
import org.jamestls.smtp.TlsNegotiator;
import org.jamestls.smtp.TlsSessionInfo;
import org.jamestls.tls.TlsClientContexts;
import org.jamestls.tls.TlsClientSettings;

/**
 * Real TLS handshakes over loopback (an in-process server on 127.0.0.1, ephemeral port) with the production client
 * profiles, so that the classifier is fed the very exceptions and recorded texts the delivery code gets.
 */
final class Handshakes {
    static final String CA_URL = "memory:test-ca.pem";

    private Handshakes() {
    }

    /** What the client saw: the exception the negotiator threw, or the verification recorded in the session. */
    static final class Outcome {
        final Optional<IOException> failure;
        final Optional<String> verification;

        Outcome(Optional<IOException> failure, Optional<String> verification) {
            this.failure = failure;
            this.verification = verification;
        }

        IOException failure() {
            return failure.orElseThrow(() -> new AssertionError("the handshake succeeded: " + verification));
        }

        String verification() {
            return verification.orElseThrow(() -> new AssertionError("the handshake failed: " + failure));
        }
    }

    /** Client settings as a scope's tlsVerify and tlsCa would give, trusting {@code ca} when given. */
    static TlsNegotiator verifying(TlsVerify verify, Optional<TestCerts.Issued> ca, List<String> protocols) throws Exception {
        TlsClientSettings settings = new TlsClientSettings(verify, ca.map(c -> CA_URL), Optional.empty(), Optional.empty(),
            protocols, List.of());
        return contexts(ca).profile(settings);
    }

    static TlsClientContexts contexts(Optional<TestCerts.Issued> ca) {
        return new TlsClientContexts(url -> {
            if (ca.isEmpty() || !url.equals(CA_URL)) {
                throw new FileNotFoundException(url);
            }
            return new ByteArrayInputStream(pem(ca.get().certificate).getBytes(StandardCharsets.US_ASCII));
        });
    }

    /** One handshake of {@code client} (as with the MX named {@code mxHost}) against a server presenting {@code chain}. */
    static Outcome run(TlsNegotiator client, String mxHost, List<String> serverProtocols, TestCerts.Issued leaf,
                       X509Certificate... moreChain) throws Exception {
        SSLContext server = serverContext(leaf, moreChain);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            if (!serverProtocols.isEmpty()) {
                listener.setEnabledProtocols(serverProtocols.toArray(String[]::new));
            }
            Thread accepting = new Thread(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.setSoTimeout(5000);
                    accepted.startHandshake();
                    accepted.getInputStream().read(); // until the client closes
                } catch (IOException e) {
                    // the client rejected us: that is the point of most tests
                }
            }, "tlsrpt-test-server");
            accepting.setDaemon(true);
            accepting.start();
            Socket plain = new Socket();
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5000);
            plain.setSoTimeout(5000);
            try (SSLSocket tls = client.negotiate(plain, mxHost, listener.getLocalPort())) {
                Object recorded = tls.getSession().getValue(TlsSessionInfo.VERIFICATION_SESSION_KEY);
                return new Outcome(Optional.empty(), Optional.of(String.valueOf(recorded)));
            } catch (IOException e) {
                return new Outcome(Optional.of(e), Optional.empty());
            } finally {
                plain.close();
                accepting.join(5000);
            }
        }
    }

    private static SSLContext serverContext(TestCerts.Issued leaf, X509Certificate... moreChain) throws Exception {
        X509Certificate[] chain = new X509Certificate[1 + moreChain.length];
        chain[0] = leaf.certificate;
        System.arraycopy(moreChain, 0, chain, 1, moreChain.length);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", leaf.keys.getPrivate(), "test".toCharArray(), chain);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, "test".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
