package org.jamestls.tls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.policy.Decided;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsVerify;

/**
 * The TLS client options of one delivery, as resolved from the policy. Deliveries with equal settings
 * share one {@link TlsClientProfile} (and so one SSL context and its session cache).
 */
public final class TlsClientSettings {
    /** Momentum's defaults: no verification, JDK protocols and ciphers, no client certificate. */
    public static final TlsClientSettings UNVERIFIED = new TlsClientSettings(TlsVerify.NO, Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), List.of());

    private final TlsVerify verify;
    private final Optional<String> caUrl;
    private final Optional<String> certificateUrl;
    private final Optional<String> keyUrl;
    private final List<String> protocols;
    private final List<String> ciphers;

    public TlsClientSettings(TlsVerify verify, Optional<String> caUrl, Optional<String> certificateUrl,
                             Optional<String> keyUrl, List<String> protocols, List<String> ciphers) {
        this.verify = verify;
        this.caUrl = caUrl;
        this.certificateUrl = certificateUrl;
        this.keyUrl = keyUrl;
        this.protocols = List.copyOf(protocols);
        this.ciphers = List.copyOf(ciphers);
    }

    public static TlsClientSettings of(ResolvedTlsPolicy policy) {
        return new TlsClientSettings(policy.tlsVerify().value(),
            policy.tlsCa().map(Decided::value),
            policy.tlsCertificate().map(Decided::value),
            policy.tlsKey().map(Decided::value),
            policy.tlsProtocols().map(Decided::value).orElse(List.of()),
            policy.tlsCiphers().map(Decided::value).orElse(List.of()));
    }

    /** The same settings with another verification mode (a published policy may demand more). */
    public TlsClientSettings withVerify(TlsVerify newVerify) {
        return new TlsClientSettings(newVerify, caUrl, certificateUrl, keyUrl, protocols, ciphers);
    }

    public TlsVerify verify() {
        return verify;
    }

    public Optional<String> caUrl() {
        return caUrl;
    }

    public Optional<String> certificateUrl() {
        return certificateUrl;
    }

    public Optional<String> keyUrl() {
        return keyUrl;
    }

    /** Empty: the JDK's default protocols. */
    public List<String> protocols() {
        return protocols;
    }

    /** Empty: the JDK's default cipher suites. */
    public List<String> ciphers() {
        return ciphers;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TlsClientSettings)) {
            return false;
        }
        TlsClientSettings other = (TlsClientSettings) o;
        return verify == other.verify && caUrl.equals(other.caUrl) && certificateUrl.equals(other.certificateUrl)
            && keyUrl.equals(other.keyUrl) && protocols.equals(other.protocols) && ciphers.equals(other.ciphers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(verify, caUrl, certificateUrl, keyUrl, protocols, ciphers);
    }

    @Override
    public String toString() {
        return "tlsVerify=" + verify + caUrl.map(url -> " tlsCa=" + url).orElse("")
            + certificateUrl.map(url -> " tlsCertificate=" + url).orElse("")
            + (protocols.isEmpty() ? "" : " tlsProtocols=" + String.join(" ", protocols))
            + (ciphers.isEmpty() ? "" : " tlsCiphers=" + String.join(" ", ciphers));
    }
}
