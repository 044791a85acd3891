package org.jamestls.policy;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named outbound identity (Momentum's binding): local address, HELO name and its own options.
 * Immutable; build with {@link #builder(String)}.
 */
public final class Binding {
    private final String name;
    private final Optional<InetAddress> bindAddress;
    private final Optional<String> heloName;
    private final ScopeOptions options;
    private final Map<String, ScopeOptions> domains;
    private final Optional<String> groupName;

    private Binding(Builder builder) {
        this.name = requireName(builder.name);
        this.bindAddress = builder.bindAddress;
        this.heloName = builder.heloName;
        this.options = builder.options;
        this.domains = DomainNames.normalizeKeys(builder.domains);
        this.groupName = builder.groupName;
    }

    static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return name;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Local address to bind outgoing connections to; always an IP literal, never resolved. */
    public Optional<InetAddress> bindAddress() {
        return bindAddress;
    }

    public Optional<String> heloName() {
        return heloName;
    }

    /** Options set directly on the binding. */
    public ScopeOptions options() {
        return options;
    }

    /** Domain stanzas inside the binding, keyed by normalised domain name. */
    public Map<String, ScopeOptions> domains() {
        return domains;
    }

    /** Options of the domain stanza for {@code domain} (any spelling), or {@link ScopeOptions#EMPTY}. */
    public ScopeOptions domainOptions(String domain) {
        return domains.getOrDefault(DomainNames.normalize(domain), ScopeOptions.EMPTY);
    }

    /** The binding group this binding belongs to, if any. */
    public Optional<String> groupName() {
        return groupName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Binding)) {
            return false;
        }
        Binding other = (Binding) o;
        return name.equals(other.name) && bindAddress.equals(other.bindAddress) && heloName.equals(other.heloName)
            && options.equals(other.options) && domains.equals(other.domains) && groupName.equals(other.groupName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, bindAddress, heloName, options, domains, groupName);
    }

    @Override
    public String toString() {
        return "Binding{" + name
            + bindAddress.map(address -> ", bindAddress=" + address.getHostAddress()).orElse("")
            + heloName.map(helo -> ", heloName=" + helo).orElse("")
            + groupName.map(group -> ", group=" + group).orElse("")
            + ", options=" + options + ", domains=" + domains + "}";
    }

    /** Mutable builder; {@link #build()} produces the immutable {@link Binding}. */
    public static final class Builder {
        private final String name;
        private Optional<InetAddress> bindAddress = Optional.empty();
        private Optional<String> heloName = Optional.empty();
        private ScopeOptions options = ScopeOptions.EMPTY;
        private final Map<String, ScopeOptions> domains = new LinkedHashMap<>();
        private Optional<String> groupName = Optional.empty();

        private Builder(String name) {
            this.name = name;
        }

        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Optional.of(address);
            return this;
        }

        public Builder heloName(String heloName) {
            this.heloName = Optional.of(heloName);
            return this;
        }

        public Builder options(ScopeOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder domain(String domain, ScopeOptions options) {
            this.domains.put(domain, options);
            return this;
        }

        public Builder groupName(String groupName) {
            this.groupName = Optional.of(requireName(groupName));
            return this;
        }

        public Binding build() {
            return new Binding(this);
        }
    }
}
