package org.jamestls.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of bindings that mail is spread over, with options and domain stanzas shared by its
 * bindings. Immutable. Never empty: a group is selected to pick one of its bindings.
 */
public final class BindingGroup {
    private final String name;
    private final ScopeOptions options;
    private final Map<String, ScopeOptions> domains;
    private final List<Binding> bindings;

    /**
     * @throws IllegalArgumentException if there are no bindings or a binding does not name this group
     *     as its {@link Binding#groupName()} (resolution looks the group up through it)
     */
    public BindingGroup(String name, ScopeOptions options, Map<String, ScopeOptions> domains, List<Binding> bindings) {
        this.name = Binding.requireName(name);
        this.options = Objects.requireNonNull(options, "options");
        this.domains = DomainNames.normalizeKeys(domains);
        this.bindings = List.copyOf(bindings);
        if (this.bindings.isEmpty()) {
            throw new IllegalArgumentException("binding group " + name + " has no bindings");
        }
        for (Binding binding : this.bindings) {
            if (!binding.groupName().equals(Optional.of(name))) {
                throw new IllegalArgumentException("binding " + binding.name() + " does not belong to group " + name);
            }
        }
    }

    public String name() {
        return name;
    }

    /** Options set directly on the group. */
    public ScopeOptions options() {
        return options;
    }

    /** Domain stanzas inside the group, keyed by normalised domain name. */
    public Map<String, ScopeOptions> domains() {
        return domains;
    }

    /** Options of the domain stanza for {@code domain} (any spelling), or {@link ScopeOptions#EMPTY}. */
    public ScopeOptions domainOptions(String domain) {
        return domains.getOrDefault(DomainNames.normalize(domain), ScopeOptions.EMPTY);
    }

    /** The group's bindings in file order (the round-robin order). */
    public List<Binding> bindings() {
        return bindings;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BindingGroup)) {
            return false;
        }
        BindingGroup other = (BindingGroup) o;
        return name.equals(other.name) && options.equals(other.options) && domains.equals(other.domains)
            && bindings.equals(other.bindings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, options, domains, bindings);
    }

    @Override
    public String toString() {
        return "BindingGroup{" + name + ", options=" + options + ", domains=" + domains + ", bindings=" + bindings + "}";
    }
}
