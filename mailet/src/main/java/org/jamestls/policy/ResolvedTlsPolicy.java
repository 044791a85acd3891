package org.jamestls.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options that apply to one delivery (destination domain + binding), each with the scope that
 * decided it. Immutable; obtained from {@link TlsPolicy#resolve(String, Optional)}.
 */
public final class ResolvedTlsPolicy {
    private final String domain;
    private final Optional<String> bindingName;
    private final Map<PolicyOption<?>, Decided<?>> decided;

    /** One scope in the precedence chain, most specific first. */
    static final class Layer {
        final ScopeRef ref;
        final ScopeOptions options;

        Layer(ScopeRef ref, ScopeOptions options) {
            this.ref = ref;
            this.options = options;
        }
    }

    ResolvedTlsPolicy(String domain, Optional<String> bindingName, List<Layer> layers) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.bindingName = Objects.requireNonNull(bindingName, "bindingName");
        Map<PolicyOption<?>, Decided<?>> result = new LinkedHashMap<>();
        for (PolicyOption<?> option : PolicyOption.ALL) {
            decide(option, layers).ifPresent(value -> result.put(option, value));
        }
        this.decided = Map.copyOf(result);
    }

    // The first layer that sets the option wins; otherwise the option's built-in default, if any.
    private static <T> Optional<Decided<T>> decide(PolicyOption<T> option, List<Layer> layers) {
        for (Layer layer : layers) {
            Optional<T> value = layer.options.get(option);
            if (value.isPresent()) {
                return Optional.of(new Decided<>(value.get(), layer.ref));
            }
        }
        return option.defaultValue().map(value -> new Decided<>(value, ScopeRef.DEFAULT));
    }

    /** The decided value of any option; empty only for options without a built-in default. */
    @SuppressWarnings("unchecked")
    public <T> Optional<Decided<T>> get(PolicyOption<T> option) {
        return Optional.ofNullable((Decided<T>) decided.get(option));
    }

    /** Always decided: falls back to {@code no} (scope {@link PolicyScope#DEFAULT}). */
    public Decided<TlsLevel> tls() {
        return get(PolicyOption.TLS).orElseThrow();
    }

    /** Empty when no scope sets it: the mailet's default applies. */
    public Optional<Decided<Boolean>> tlsIfAvailableFallback() {
        return get(PolicyOption.TLS_IF_AVAILABLE_FALLBACK);
    }

    /** Always decided: falls back to {@code no}. */
    public Decided<TlsVerify> tlsVerify() {
        return get(PolicyOption.TLS_VERIFY).orElseThrow();
    }

    public Optional<Decided<String>> tlsCa() {
        return get(PolicyOption.TLS_CA);
    }

    public Optional<Decided<String>> tlsCertificate() {
        return get(PolicyOption.TLS_CERTIFICATE);
    }

    public Optional<Decided<String>> tlsKey() {
        return get(PolicyOption.TLS_KEY);
    }

    public Optional<Decided<List<String>>> tlsProtocols() {
        return get(PolicyOption.TLS_PROTOCOLS);
    }

    public Optional<Decided<List<String>>> tlsCiphers() {
        return get(PolicyOption.TLS_CIPHERS);
    }

    /** Always decided: falls back to {@code on}. */
    public Decided<Switch> mtaSts() {
        return get(PolicyOption.MTA_STS).orElseThrow();
    }

    /** Always decided: falls back to {@code off}. */
    public Decided<Switch> dane() {
        return get(PolicyOption.DANE).orElseThrow();
    }

    /** Always decided: falls back to {@code published}. Not read by delivery yet. */
    public Decided<TlsRequiredHeader> tlsRequiredHeader() {
        return get(PolicyOption.TLS_REQUIRED_HEADER).orElseThrow();
    }

    /** Always decided: falls back to {@code off}. Not read by delivery yet. */
    public Decided<RememberBroken> tlsRememberBroken() {
        return get(PolicyOption.TLS_REMEMBER_BROKEN).orElseThrow();
    }

    /** Always decided: falls back to {@code off}. Nothing records or reports TLS outcomes yet. */
    public Decided<Switch> tlsRpt() {
        return get(PolicyOption.TLS_RPT).orElseThrow();
    }

    /** The normalised destination domain this was resolved for. */
    public String domain() {
        return domain;
    }

    /** The binding this was resolved for; empty when delivering without a binding. */
    public Optional<String> bindingName() {
        return bindingName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ResolvedTlsPolicy)) {
            return false;
        }
        ResolvedTlsPolicy other = (ResolvedTlsPolicy) o;
        return domain.equals(other.domain) && bindingName.equals(other.bindingName) && decided.equals(other.decided);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, bindingName, decided);
    }

    /**
     * For logs, e.g. {@code domain=legacy.example binding=tx1: tls=no (binding tx1 / domain
     * legacy.example), tlsIfAvailableFallback=unset}.
     */
    @Override
    public String toString() {
        return "domain=" + domain + " binding=" + bindingName.orElse("(none)") + ": "
            + PolicyOption.ALL.stream()
                .map(option -> option.elementName() + "="
                    + Optional.ofNullable(decided.get(option)).map(Decided::toString).orElse("unset"))
                .collect(Collectors.joining(", "));
    }
}
