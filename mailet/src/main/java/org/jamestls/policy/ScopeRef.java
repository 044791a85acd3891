package org.jamestls.policy;

import java.util.Objects;

/**
 * One concrete scope, e.g. "binding tx1 / domain legacy.example": the kind of scope plus the names
 * that let an operator find it in the configuration file.
 */
public final class ScopeRef {
    public static final ScopeRef GLOBAL = new ScopeRef(PolicyScope.GLOBAL, "global");
    public static final ScopeRef DEFAULT = new ScopeRef(PolicyScope.DEFAULT, "default");

    private final PolicyScope scope;
    private final String description;

    private ScopeRef(PolicyScope scope, String description) {
        this.scope = Objects.requireNonNull(scope, "scope");
        this.description = Objects.requireNonNull(description, "description");
    }

    public static ScopeRef bindingDomain(String bindingName, String domain) {
        return new ScopeRef(PolicyScope.BINDING_DOMAIN, "binding " + bindingName + " / domain " + domain);
    }

    public static ScopeRef groupDomain(String groupName, String domain) {
        return new ScopeRef(PolicyScope.GROUP_DOMAIN, "binding group " + groupName + " / domain " + domain);
    }

    public static ScopeRef binding(String bindingName) {
        return new ScopeRef(PolicyScope.BINDING, "binding " + bindingName);
    }

    public static ScopeRef bindingGroup(String groupName) {
        return new ScopeRef(PolicyScope.BINDING_GROUP, "binding group " + groupName);
    }

    public static ScopeRef globalDomain(String domain) {
        return new ScopeRef(PolicyScope.GLOBAL_DOMAIN, "global domain " + domain);
    }

    public PolicyScope scope() {
        return scope;
    }

    /** Human-readable, e.g. "binding group transactional". */
    public String description() {
        return description;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScopeRef)) {
            return false;
        }
        ScopeRef other = (ScopeRef) o;
        return scope == other.scope && description.equals(other.description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, description);
    }

    @Override
    public String toString() {
        return description;
    }
}
