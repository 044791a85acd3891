package org.jamestls.policy;

import java.util.Objects;
import java.util.Optional;

/** Outcome of {@link BindingSelector#select(String)}. Immutable. */
public final class BindingSelection {
    /** What happened to the requested name. */
    public enum Outcome {
        /** The name was a binding, or a group from which a binding was picked. */
        SELECTED,
        /** The name is neither a binding nor a group: the caller decides (typically fail the mail). */
        UNKNOWN,
        /** No name was requested (null or blank): deliver without a binding. */
        NONE
    }

    private static final BindingSelection NONE = new BindingSelection(Outcome.NONE, Optional.empty(), Optional.empty());

    private final Outcome outcome;
    private final Optional<String> requestedName;
    private final Optional<Binding> binding;

    private BindingSelection(Outcome outcome, Optional<String> requestedName, Optional<Binding> binding) {
        this.outcome = outcome;
        this.requestedName = requestedName;
        this.binding = binding;
    }

    static BindingSelection selected(String requestedName, Binding binding) {
        return new BindingSelection(Outcome.SELECTED, Optional.of(requestedName), Optional.of(binding));
    }

    static BindingSelection unknown(String requestedName) {
        return new BindingSelection(Outcome.UNKNOWN, Optional.of(requestedName), Optional.empty());
    }

    static BindingSelection none() {
        return NONE;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The binding to use; present exactly when the outcome is {@link Outcome#SELECTED}. */
    public Optional<Binding> binding() {
        return binding;
    }

    /** The name that was asked for (binding or group name); empty for {@link Outcome#NONE}. */
    public Optional<String> requestedName() {
        return requestedName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BindingSelection)) {
            return false;
        }
        BindingSelection other = (BindingSelection) o;
        return outcome == other.outcome && requestedName.equals(other.requestedName) && binding.equals(other.binding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcome, requestedName, binding);
    }

    @Override
    public String toString() {
        switch (outcome) {
            case SELECTED:
                return "SELECTED(" + binding.orElseThrow().name() + " for " + requestedName.orElseThrow() + ")";
            case UNKNOWN:
                return "UNKNOWN(" + requestedName.orElseThrow() + ")";
            default:
                return "NONE";
        }
    }
}
