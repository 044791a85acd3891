package org.jamestls.policy;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Describes one per-scope option: its element name in {@code tls-policy.xml}, how to parse it, what
 * values are allowed (for error messages) and its built-in default. The parser and the resolution
 * iterate over {@link #ALL}, so a new option is one constant here plus typed accessors on
 * {@link ScopeOptions} and {@link ResolvedTlsPolicy}.
 *
 * @param <T> the parsed value type
 */
public final class PolicyOption<T> {
    /** Momentum's {@code tls}; defaults to {@code no} like Momentum. */
    public static final PolicyOption<TlsLevel> TLS = new PolicyOption<>(
        "tls", TlsLevel::parse, "no, ifavailable, required (case-insensitive)", Optional.of(TlsLevel.NO));

    /**
     * Whether an {@code ifavailable} delivery whose TLS handshake fails is retried in clear text. No
     * default here: the mailet supplies it, so resolution reports "unset".
     */
    public static final PolicyOption<Boolean> TLS_IF_AVAILABLE_FALLBACK = new PolicyOption<>(
        "tlsIfAvailableFallback", PolicyOption::parseBoolean, "true, false (case-insensitive)", Optional.empty());

    /** Momentum's {@code tls_verify}; defaults to {@code no} like Momentum. */
    public static final PolicyOption<TlsVerify> TLS_VERIFY = new PolicyOption<>(
        "tlsVerify", TlsVerify::parse, "no, ca, host, optional (case-insensitive)", Optional.of(TlsVerify.NO));

    /** PEM bundle (James FileSystem URL) trusted instead of the JDK trust store; unset = the JDK's. */
    public static final PolicyOption<String> TLS_CA = new PolicyOption<>(
        "tlsCa", PolicyOption::parseUrl, "a James FileSystem URL of a PEM file, e.g. file://conf/ca.pem", Optional.empty());

    /** Client certificate chain (PEM) presented to receivers that ask for one; needs {@link #TLS_KEY}. */
    public static final PolicyOption<String> TLS_CERTIFICATE = new PolicyOption<>(
        "tlsCertificate", PolicyOption::parseUrl, "a James FileSystem URL of a PEM certificate file", Optional.empty());

    /** Private key of {@link #TLS_CERTIFICATE}: PEM, PKCS#8, PKCS#1 RSA or SEC1 EC. */
    public static final PolicyOption<String> TLS_KEY = new PolicyOption<>(
        "tlsKey", PolicyOption::parseUrl, "a James FileSystem URL of a PEM private key file", Optional.empty());

    /** JSSE protocol names enabled for STARTTLS; unset = the JDK's defaults. */
    public static final PolicyOption<List<String>> TLS_PROTOCOLS = new PolicyOption<>(
        "tlsProtocols", raw -> JsseNames.parseList(raw, JsseNames.PROTOCOLS),
        JsseNames.allowed("protocols", JsseNames.PROTOCOLS), Optional.empty());

    /** JSSE cipher suite names enabled for STARTTLS; unset = the JDK's defaults. */
    public static final PolicyOption<List<String>> TLS_CIPHERS = new PolicyOption<>(
        "tlsCiphers", raw -> JsseNames.parseList(raw, JsseNames.CIPHER_SUITES),
        JsseNames.allowed("cipher suites", JsseNames.CIPHER_SUITES), Optional.empty());

    /**
     * Whether the receiving domain's MTA-STS policy (RFC 8461) is honoured; on by default, as in KumoMTA:
     * it costs a TXT lookup per domain and only ever raises the level.
     */
    public static final PolicyOption<Switch> MTA_STS = new PolicyOption<>(
        "mtaSts", Switch::parse, "on, off (case-insensitive)", Optional.of(Switch.ON));

    /**
     * Whether DANE TLSA records (RFC 7672) are honoured; off by default, as in Postfix and KumoMTA, because
     * it needs a resolver that serves DNSSEC data (mailet parameter dnssecResolver).
     */
    public static final PolicyOption<Switch> DANE = new PolicyOption<>(
        "dane", Switch::parse, "on, off (case-insensitive)", Optional.of(Switch.OFF));

    /**
     * What a {@code TLS-Required: No} header (RFC 8689 section 5) may lower; default {@code published} (receiver-published
     * policies only, see {@link TlsRequiredHeader}). Parsed and resolved only: delivery does not read it yet.
     */
    public static final PolicyOption<TlsRequiredHeader> TLS_REQUIRED_HEADER = new PolicyOption<>(
        "tlsRequiredHeader", TlsRequiredHeader::parse, "published, all, ignore (case-insensitive)",
        Optional.of(TlsRequiredHeader.PUBLISHED));

    /**
     * How long an MX address whose handshake failed is remembered as broken for {@code ifavailable} mail; default
     * {@code off} (see {@link RememberBroken}). Parsed and resolved only: delivery does not read it yet.
     */
    public static final PolicyOption<RememberBroken> TLS_REMEMBER_BROKEN = new PolicyOption<>(
        "tlsRememberBroken", RememberBroken::parse, RememberBroken.ALLOWED, Optional.of(RememberBroken.OFF));

    /**
     * Whether TLS outcomes to the domain are recorded and reported (RFC 8460 TLS reporting); default {@code off},
     * so nothing is sent unless the operator wants it. Parsed and resolved only: nothing records or reports yet.
     */
    public static final PolicyOption<Switch> TLS_RPT = new PolicyOption<>(
        "tlsRpt", Switch::parse, "on, off (case-insensitive)", Optional.of(Switch.OFF));

    /** Every option, in the order used for logging. */
    public static final List<PolicyOption<?>> ALL = List.of(TLS, TLS_IF_AVAILABLE_FALLBACK, TLS_VERIFY, TLS_CA,
        TLS_CERTIFICATE, TLS_KEY, TLS_PROTOCOLS, TLS_CIPHERS, MTA_STS, DANE, TLS_REQUIRED_HEADER, TLS_REMEMBER_BROKEN,
        TLS_RPT);

    private final String elementName;
    private final Function<String, Optional<T>> parser;
    private final String allowedValues;
    private final Optional<T> defaultValue;

    private PolicyOption(String elementName, Function<String, Optional<T>> parser, String allowedValues,
                         Optional<T> defaultValue) {
        this.elementName = Objects.requireNonNull(elementName);
        this.parser = Objects.requireNonNull(parser);
        this.allowedValues = Objects.requireNonNull(allowedValues);
        this.defaultValue = Objects.requireNonNull(defaultValue);
    }

    /** Finds an option by its XML element name (case-sensitive, as XML is). */
    public static Optional<PolicyOption<?>> byElementName(String name) {
        return ALL.stream().filter(option -> option.elementName.equals(name)).findFirst();
    }

    public String elementName() {
        return elementName;
    }

    /** Parses a raw configuration value; empty when the value is not allowed. */
    public Optional<T> parse(String raw) {
        return raw == null ? Optional.empty() : parser.apply(raw);
    }

    /** The allowed values, phrased for an operator reading an error message. */
    public String allowedValues() {
        return allowedValues;
    }

    /** The built-in default, or empty when the caller (the mailet) supplies it. */
    public Optional<T> defaultValue() {
        return defaultValue;
    }

    @Override
    public String toString() {
        return elementName;
    }

    private static Optional<String> parseUrl(String raw) {
        String value = raw.trim();
        return value.isEmpty() || value.matches(".*\\s.*") ? Optional.empty() : Optional.of(value);
    }

    private static Optional<Boolean> parseBoolean(String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        if (value.equals("true")) {
            return Optional.of(Boolean.TRUE);
        }
        if (value.equals("false")) {
            return Optional.of(Boolean.FALSE);
        }
        return Optional.empty();
    }
}
