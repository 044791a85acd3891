package org.jamestls.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options one scope sets. Unset options are absent (not defaulted) so resolution can fall
 * through to the next scope. Immutable.
 */
public final class ScopeOptions {
    public static final ScopeOptions EMPTY = new ScopeOptions(Map.of());

    // Keyed by option descriptor; values are guaranteed by the typed Builder.set to match the key.
    private final Map<PolicyOption<?>, Object> values;

    private ScopeOptions(Map<PolicyOption<?>, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value this scope sets for {@code option}, if any. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> get(PolicyOption<T> option) {
        return Optional.ofNullable((T) values.get(option));
    }

    public Optional<TlsLevel> tls() {
        return get(PolicyOption.TLS);
    }

    public Optional<Boolean> tlsIfAvailableFallback() {
        return get(PolicyOption.TLS_IF_AVAILABLE_FALLBACK);
    }

    public Optional<TlsRequiredHeader> tlsRequiredHeader() {
        return get(PolicyOption.TLS_REQUIRED_HEADER);
    }

    public Optional<RememberBroken> tlsRememberBroken() {
        return get(PolicyOption.TLS_REMEMBER_BROKEN);
    }

    public Optional<Switch> tlsRpt() {
        return get(PolicyOption.TLS_RPT);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeOptions && values.equals(((ScopeOptions) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.entrySet().stream()
            .map(entry -> entry.getKey().elementName() + "=" + entry.getValue())
            .collect(Collectors.joining(", ", "{", "}"));
    }

    /** Builds a {@link ScopeOptions}; setting an option twice keeps the last value. */
    public static final class Builder {
        private final Map<PolicyOption<?>, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        public <T> Builder set(PolicyOption<T> option, T value) {
            values.put(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder tls(TlsLevel level) {
            return set(PolicyOption.TLS, level);
        }

        public Builder tlsIfAvailableFallback(boolean fallback) {
            return set(PolicyOption.TLS_IF_AVAILABLE_FALLBACK, fallback);
        }

        public Builder tlsVerify(TlsVerify verify) {
            return set(PolicyOption.TLS_VERIFY, verify);
        }

        public ScopeOptions build() {
            return values.isEmpty() ? EMPTY : new ScopeOptions(values);
        }
    }
}
