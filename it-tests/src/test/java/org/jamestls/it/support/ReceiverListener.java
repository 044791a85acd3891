package org.jamestls.it.support;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One smtpd listener of {@link PostfixReceivers}: a name, its own loopback address, the shared port, and
 * optionally its own server certificate and extra smtpd {@code -o} options. Immutable; the {@code with...}
 * methods return a changed copy.
 */
public final class ReceiverListener {

    private final String name;
    private final String ip;
    private final int port;
    private final TlsMode initialMode;
    private final Path certificateChain;
    private final Path certificateKey;
    private final Map<String, String> smtpdOptions;
    private final TlsMode readyMode;

    public ReceiverListener(String name, String ip, int port, TlsMode initialMode) {
        this(name, ip, port, initialMode, null, null, Map.of(), initialMode);
    }

    private ReceiverListener(String name, String ip, int port, TlsMode initialMode, Path certificateChain,
                             Path certificateKey, Map<String, String> smtpdOptions, TlsMode readyMode) {
        if (!ip.startsWith("127.")) {
            throw new IllegalArgumentException("Receivers must listen on loopback, not " + ip);
        }
        this.name = name;
        this.ip = ip;
        this.port = port;
        this.initialMode = initialMode;
        this.certificateChain = certificateChain;
        this.certificateKey = certificateKey;
        this.smtpdOptions = Collections.unmodifiableMap(new LinkedHashMap<>(smtpdOptions));
        this.readyMode = readyMode;
    }

    /**
     * Serves this certificate instead of the receivers' shared self-signed one: {@code chain} = leaf first, then
     * its issuers (smtpd_tls_cert_file), {@code key} = its private key (smtpd_tls_key_file).
     */
    public ReceiverListener withCertificate(Path chain, Path key) {
        return new ReceiverListener(name, ip, port, initialMode, chain.toAbsolutePath(), key.toAbsolutePath(),
            smtpdOptions, readyMode);
    }

    /**
     * An extra {@code -o name=value} for this listener's smtpd, applied after (so overriding) the ones its
     * {@link TlsMode} sets. The value must not contain whitespace.
     */
    public ReceiverListener withSmtpdOption(String option, String value) {
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("master.cf -o value with whitespace: " + option + "=" + value);
        }
        Map<String, String> options = new LinkedHashMap<>(smtpdOptions);
        options.put(option, value);
        return new ReceiverListener(name, ip, port, initialMode, certificateChain, certificateKey, options,
            readyMode);
    }

    /**
     * What a trust-all JDK client without a client certificate observes ({@link SmtpProbe.Result#observedMode()})
     * once the listener is up, if its options make that differ from its {@link TlsMode} (default: the mode).
     */
    public ReceiverListener withReadyMode(TlsMode observed) {
        return new ReceiverListener(name, ip, port, initialMode, certificateChain, certificateKey, smtpdOptions,
            observed);
    }

    public String name() {
        return name;
    }

    public String ip() {
        return ip;
    }

    public int port() {
        return port;
    }

    public TlsMode initialMode() {
        return initialMode;
    }

    /** Leaf + issuers PEM this listener serves, if not the shared default certificate. */
    public Optional<Path> certificateChain() {
        return Optional.ofNullable(certificateChain);
    }

    public Optional<Path> certificateKey() {
        return Optional.ofNullable(certificateKey);
    }

    /** Extra smtpd options in the order given. */
    public Map<String, String> smtpdOptions() {
        return smtpdOptions;
    }

    /** See {@link #withReadyMode(TlsMode)}. */
    public TlsMode readyMode() {
        return readyMode;
    }

    /** The myhostname this listener announces and writes into "Received: ... by HOSTNAME (Postfix)". */
    public String myhostname() {
        return name + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    }

    @Override
    public String toString() {
        return name + "@" + ip + ":" + port;
    }
}
