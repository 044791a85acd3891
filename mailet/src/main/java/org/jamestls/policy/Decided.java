package org.jamestls.policy;

import java.util.Objects;

/** A resolved option value together with the scope that decided it, so logs can say why. */
public final class Decided<T> {
    private final T value;
    private final ScopeRef decidedBy;

    public Decided(T value, ScopeRef decidedBy) {
        this.value = Objects.requireNonNull(value, "value");
        this.decidedBy = Objects.requireNonNull(decidedBy, "decidedBy");
    }

    public T value() {
        return value;
    }

    public ScopeRef decidedBy() {
        return decidedBy;
    }

    /** Shortcut for {@code decidedBy().scope()}. */
    public PolicyScope scope() {
        return decidedBy.scope();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Decided)) {
            return false;
        }
        Decided<?> other = (Decided<?>) o;
        return value.equals(other.value) && decidedBy.equals(other.decidedBy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, decidedBy);
    }

    /** E.g. {@code required (binding tx1)}. */
    @Override
    public String toString() {
        return value + " (" + decidedBy + ")";
    }
}
