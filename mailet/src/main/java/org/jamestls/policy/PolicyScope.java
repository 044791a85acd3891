package org.jamestls.policy;

/**
 * The scopes an option can be set in, declared in precedence order: the first scope (most
 * specific) that sets an option decides it. {@link #DEFAULT} is the built-in fallback.
 */
public enum PolicyScope {
    BINDING_DOMAIN("domain stanza inside the binding"),
    GROUP_DOMAIN("domain stanza inside the binding's group"),
    BINDING("binding"),
    BINDING_GROUP("binding group"),
    GLOBAL_DOMAIN("global domain stanza"),
    GLOBAL("global setting"),
    DEFAULT("built-in default");

    private final String description;

    PolicyScope(String description) {
        this.description = description;
    }

    /** Operator-readable name of the kind of scope; {@link ScopeRef} adds the concrete names. */
    public String describe() {
        return description;
    }
}
