package org.jamestls.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole parsed {@code tls-policy.xml}. Immutable and therefore safe to share between delivery
 * threads; a reload builds a new instance.
 */
public final class TlsPolicy {
    private static final TlsPolicy EMPTY = new TlsPolicy(ScopeOptions.EMPTY, Map.of(), List.of(), List.of());

    private final ScopeOptions globalOptions;
    private final Map<String, ScopeOptions> globalDomains;
    private final Map<String, BindingGroup> groups;
    private final List<Binding> standaloneBindings;
    private final Map<String, Binding> bindings;

    /**
     * @param standaloneBindings bindings outside any group; grouped bindings come from {@code groups}
     * @throws IllegalArgumentException on duplicate binding or group names, or a group and a binding
     *     sharing a name (a selected name must be unambiguous)
     */
    public TlsPolicy(ScopeOptions globalOptions, Map<String, ScopeOptions> globalDomains, List<BindingGroup> groups,
                     List<Binding> standaloneBindings) {
        this.globalOptions = Objects.requireNonNull(globalOptions, "globalOptions");
        this.globalDomains = DomainNames.normalizeKeys(globalDomains);
        this.standaloneBindings = List.copyOf(standaloneBindings);
        Map<String, BindingGroup> groupsByName = new LinkedHashMap<>();
        List<Binding> all = new ArrayList<>();
        for (BindingGroup group : groups) {
            if (groupsByName.put(group.name(), group) != null) {
                throw new IllegalArgumentException("duplicate binding group " + group.name());
            }
            all.addAll(group.bindings());
        }
        for (Binding binding : this.standaloneBindings) {
            if (binding.groupName().isPresent()) {
                throw new IllegalArgumentException("standalone binding " + binding.name() + " names a group");
            }
            all.add(binding);
        }
        Map<String, Binding> bindingsByName = new LinkedHashMap<>();
        for (Binding binding : all) {
            if (bindingsByName.put(binding.name(), binding) != null) {
                throw new IllegalArgumentException("duplicate binding " + binding.name());
            }
            if (groupsByName.containsKey(binding.name())) {
                throw new IllegalArgumentException("binding and binding group share the name " + binding.name());
            }
        }
        this.groups = Collections.unmodifiableMap(groupsByName);
        this.bindings = Collections.unmodifiableMap(bindingsByName);
    }

    /** A policy that sets nothing: every delivery resolves to the defaults. */
    public static TlsPolicy empty() {
        return EMPTY;
    }

    public ScopeOptions globalOptions() {
        return globalOptions;
    }

    /** Global domain stanzas, keyed by normalised domain name. */
    public Map<String, ScopeOptions> globalDomains() {
        return globalDomains;
    }

    /** Binding groups in file order. */
    public List<BindingGroup> groups() {
        return List.copyOf(groups.values());
    }

    /** Bindings that are not in any group, in file order. */
    public List<Binding> standaloneBindings() {
        return standaloneBindings;
    }

    /** All bindings: those of each group (groups in file order), then the standalone ones. */
    public List<Binding> bindings() {
        return List.copyOf(bindings.values());
    }

    /** Looks a binding up by its exact (case-sensitive) name. */
    public Optional<Binding> binding(String name) {
        return Optional.ofNullable(name).map(bindings::get);
    }

    /** Looks a group up by its exact (case-sensitive) name. */
    public Optional<BindingGroup> group(String name) {
        return Optional.ofNullable(name).map(groups::get);
    }

    /**
     * Resolves the options for delivering to {@code domain} through {@code binding}, walking the
     * scopes in {@link PolicyScope} order.
     *
     * @param domain destination domain, any case, with or without a trailing dot
     * @param binding the binding used, or empty when delivering from the default identity
     * @throws IllegalArgumentException if the binding's group is not part of this policy (the
     *     binding came from another policy instance, e.g. before a reload)
     */
    /**
     * Every distinct resolution this policy can produce: each binding (and none) with each domain named
     * anywhere, plus a domain named nowhere. Used to prepare and check everything at start-up.
     */
    public List<ResolvedTlsPolicy> everyResolution() {
        java.util.Set<String> domains = new java.util.TreeSet<>(globalDomains().keySet());
        groups().forEach(group -> domains.addAll(group.domains().keySet()));
        bindings().forEach(binding -> domains.addAll(binding.domains().keySet()));
        domains.add(UNLISTED_DOMAIN);
        List<Optional<Binding>> identities = new java.util.ArrayList<>();
        identities.add(Optional.empty());
        bindings().forEach(binding -> identities.add(Optional.of(binding)));
        List<ResolvedTlsPolicy> resolutions = new java.util.ArrayList<>();
        for (Optional<Binding> identity : identities) {
            for (String domain : domains) {
                resolutions.add(resolve(domain, identity));
            }
        }
        return resolutions;
    }

    /** A reserved name (RFC 2606) standing for "any domain without a stanza of its own". */
    static final String UNLISTED_DOMAIN = "unlisted.invalid";

    public ResolvedTlsPolicy resolve(String domain, Optional<Binding> binding) {
        String normalised = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
        List<ResolvedTlsPolicy.Layer> layers = new ArrayList<>();
        binding.ifPresent(b -> {
            Optional<BindingGroup> group = b.groupName().map(name -> group(name).orElseThrow(
                () -> new IllegalArgumentException("binding " + b.name() + " belongs to unknown group " + name)));
            layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.bindingDomain(b.name(), normalised),
                b.domainOptions(normalised)));
            group.ifPresent(g -> layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.groupDomain(g.name(), normalised),
                g.domainOptions(normalised))));
            layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.binding(b.name()), b.options()));
            group.ifPresent(g -> layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.bindingGroup(g.name()), g.options())));
        });
        layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.globalDomain(normalised),
            globalDomains.getOrDefault(normalised, ScopeOptions.EMPTY)));
        layers.add(new ResolvedTlsPolicy.Layer(ScopeRef.GLOBAL, globalOptions));
        return new ResolvedTlsPolicy(normalised, binding.map(Binding::name), layers);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TlsPolicy)) {
            return false;
        }
        TlsPolicy other = (TlsPolicy) o;
        return globalOptions.equals(other.globalOptions) && globalDomains.equals(other.globalDomains)
            && groups.equals(other.groups) && standaloneBindings.equals(other.standaloneBindings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(globalOptions, globalDomains, groups, standaloneBindings);
    }

    @Override
    public String toString() {
        return "TlsPolicy{global=" + globalOptions + ", domains=" + globalDomains + ", groups=" + groups.values()
            + ", standaloneBindings=" + standaloneBindings + "}";
    }
}
