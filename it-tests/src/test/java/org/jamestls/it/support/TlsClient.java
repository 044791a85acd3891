package org.jamestls.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a JDK 17 client does its TLS handshake (plain JSSE, like James): whom it trusts, whether it checks the
 * server's name, its client certificate, protocols and cipher suites. Immutable; start with {@link #trustAll()}
 * or {@link #trusting(Path)}.
 */
public final class TlsClient {

    private final Path trustedCa;
    private final String verifiedHost;
    private final Path clientCert;
    private final Path clientKey;
    private final List<String> protocols;
    private final List<String> cipherSuites;

    private TlsClient(Path trustedCa, String verifiedHost, Path clientCert, Path clientKey, List<String> protocols,
                      List<String> cipherSuites) {
        this.trustedCa = trustedCa;
        this.verifiedHost = verifiedHost;
        this.clientCert = clientCert;
        this.clientKey = clientKey;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
    }

    /** Accepts any server certificate (checks whether a handshake is possible, not who the server is). */
    public static TlsClient trustAll() {
        return new TlsClient(null, null, null, null, null, null);
    }

    /** Trusts only the CA certificate(s) in {@code caPem} (PKIX path validation, validity included). */
    public static TlsClient trusting(Path caPem) {
        return new TlsClient(caPem, null, null, null, null, null);
    }

    /** Also checks the certificate names {@code host} (HTTPS endpoint identification, SNI {@code host}). */
    public TlsClient verifyingHost(String host) {
        return new TlsClient(trustedCa, host, clientCert, clientKey, protocols, cipherSuites);
    }

    /** Presents this client certificate (PEM, leaf first) with its PKCS#8 PEM key when the server asks. */
    public TlsClient withClientCertificate(Path certPem, Path pkcs8KeyPem) {
        return new TlsClient(trustedCa, verifiedHost, certPem, pkcs8KeyPem, protocols, cipherSuites);
    }

    /** Enables only these protocols, e.g. "TLSv1.3". */
    public TlsClient protocols(String... enabled) {
        return new TlsClient(trustedCa, verifiedHost, clientCert, clientKey, List.of(enabled), cipherSuites);
    }

    /** Enables only these (JSSE-named) cipher suites. */
    public TlsClient cipherSuites(String... enabled) {
        return new TlsClient(trustedCa, verifiedHost, clientCert, clientKey, protocols, List.of(enabled));
    }

    /** Layers TLS over a connected socket (which the returned socket closes) and completes the handshake. */
    public SSLSocket handshake(Socket plain, String connectedHost) throws IOException {
        String peerHost = verifiedHost != null ? verifiedHost : connectedHost;
        SSLSocket ssl = (SSLSocket) context().getSocketFactory()
            .createSocket(plain, peerHost, plain.getPort(), true);
        ssl.setUseClientMode(true);
        SSLParameters params = ssl.getSSLParameters();
        if (verifiedHost != null) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(List.of(new SNIHostName(verifiedHost)));
        }
        if (protocols != null) {
            params.setProtocols(protocols.toArray(String[]::new));
        }
        if (cipherSuites != null) {
            params.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(10_000);
        ssl.startHandshake();
        return ssl;
    }

    private SSLContext context() {
        if (trustedCa == null && clientCert == null) {
            return TrustAll.context();
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers(), trustedCa == null ? TrustAll.managers() : trustManagers(),
                new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot set up TLS client " + this, e);
        }
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        KeyStore ks = emptyKeyStore();
        int i = 0;
        for (Certificate ca : certificates(trustedCa)) {
            ks.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private KeyManager[] keyManagers() throws GeneralSecurityException, IOException {
        if (clientCert == null) {
            return null;
        }
        KeyStore ks = emptyKeyStore();
        ks.setKeyEntry("client", pkcs8Key(clientKey), new char[0],
            certificates(clientCert).toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    static KeyStore emptyKeyStore() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    static List<? extends Certificate> certificates(Path pem) throws GeneralSecurityException, IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    static PrivateKey pkcs8Key(Path pem) throws GeneralSecurityException, IOException {
        String text = Files.readString(pem);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException("Not a PKCS#8 PEM key: " + pem);
        }
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }

    @Override
    public String toString() {
        return "TlsClient{trust=" + (trustedCa == null ? "all" : trustedCa.getFileName()) + ", host="
            + (verifiedHost == null ? "unchecked" : verifiedHost) + ", clientCert="
            + (clientCert == null ? "none" : clientCert.getFileName()) + ", protocols="
            + (protocols == null ? "default" : protocols) + ", ciphers=" + (cipherSuites == null ? "default"
            : cipherSuites) + "}";
    }
}
