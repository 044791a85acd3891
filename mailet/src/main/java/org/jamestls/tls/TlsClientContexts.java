package org.jamestls.tls;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import org.jamestls.policy.TlsVerify;

/**
 * Builds and keeps one {@link TlsClientProfile} per distinct {@link TlsClientSettings}. The mailet builds
 * every profile its policy can produce at start-up, so a bad CA file or key stops James there, and
 * connections share contexts (and JSSE's session cache, for resumption).
 */
public final class TlsClientContexts {
    /** Opens a James FileSystem URL. */
    public interface ResourceOpener {
        InputStream open(String url) throws IOException;
    }

    private static final char[] IN_MEMORY_PASSWORD = "jamestls".toCharArray();

    private final ResourceOpener opener;
    private final Map<TlsClientSettings, TlsClientProfile> profiles = new ConcurrentHashMap<>();

    public TlsClientContexts(ResourceOpener opener) {
        this.opener = opener;
    }

    /** The profile for these settings, building it on first use. */
    public TlsClientProfile profile(TlsClientSettings settings) throws TlsMaterialException {
        TlsClientProfile existing = profiles.get(settings);
        if (existing != null) {
            return existing;
        }
        TlsClientProfile built = new TlsClientProfile(settings, context(settings));
        TlsClientProfile raced = profiles.putIfAbsent(settings, built);
        return raced == null ? built : raced;
    }

    /**
     * A profile that authenticates the peer with {@code trustManager} (DANE's TLSA matching) instead of PKIX,
     * keeping the settings' client certificate, protocols and ciphers; no host-name check by JSSE, since the
     * trust manager decides which names count. Not cached: the caller keys it by its TLSA records.
     */
    public TlsClientProfile withTrustManager(TlsClientSettings settings, X509ExtendedTrustManager trustManager)
            throws TlsMaterialException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(settings), new TrustManager[] {trustManager}, null);
            return new TlsClientProfile(settings.withVerify(TlsVerify.NO), context);
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException("cannot build a TLS context for " + settings + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return profiles.size();
    }

    private SSLContext context(TlsClientSettings settings) throws TlsMaterialException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(settings), new TrustManager[] {
                new VerifyingTrustManager(settings.verify(), pkixTrustManager(settings.caUrl()))}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException("cannot build a TLS context for " + settings + ": " + e.getMessage(), e);
        }
    }

    private X509ExtendedTrustManager pkixTrustManager(Optional<String> caUrl)
            throws TlsMaterialException, GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caUrl.isEmpty()) {
            factory.init((KeyStore) null);
        } else {
            KeyStore trusted = emptyKeyStore();
            List<X509Certificate> authorities = read(caUrl.get(), "tlsCa", in -> PemFiles.certificates(in, "tlsCa " + caUrl.get()));
            for (int i = 0; i < authorities.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            factory.init(trusted);
        }
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new TlsMaterialException("the JDK offers no X509 trust manager");
    }

    private KeyManager[] keyManagers(TlsClientSettings settings) throws TlsMaterialException, GeneralSecurityException {
        if (settings.certificateUrl().isEmpty() && settings.keyUrl().isEmpty()) {
            return null;
        }
        if (settings.certificateUrl().isEmpty() || settings.keyUrl().isEmpty()) {
            throw new TlsMaterialException("tlsCertificate and tlsKey must be set together (got "
                + settings.certificateUrl().map(url -> "tlsCertificate " + url).orElse("no tlsCertificate") + ", "
                + settings.keyUrl().map(url -> "tlsKey " + url).orElse("no tlsKey") + ")");
        }
        String certificateUrl = settings.certificateUrl().get();
        String keyUrl = settings.keyUrl().get();
        List<X509Certificate> chain = read(certificateUrl, "tlsCertificate",
            in -> PemFiles.certificates(in, "tlsCertificate " + certificateUrl));
        PrivateKey key = read(keyUrl, "tlsKey", in -> PemFiles.privateKey(in, "tlsKey " + keyUrl));
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("client", key, IN_MEMORY_PASSWORD, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, IN_MEMORY_PASSWORD);
        return factory.getKeyManagers();
    }

    private interface PemReader<T> {
        T read(InputStream in) throws TlsMaterialException;
    }

    private <T> T read(String url, String option, PemReader<T> reader) throws TlsMaterialException {
        try (InputStream in = opener.open(url)) {
            return reader.read(in);
        } catch (IOException e) {
            throw new TlsMaterialException(option + " " + url + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }
}
