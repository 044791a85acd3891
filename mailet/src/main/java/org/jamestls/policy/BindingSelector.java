package org.jamestls.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Turns the binding name a mail asks for into a {@link Binding}. The name may be a binding name or
 * a binding group name; a group hands out its bindings round robin.
 *
 * <p>Names match <b>case-sensitively</b> ("tx1" does not select "TX1"), like XML attribute values
 * and mail attribute values; the parser rejects names that differ only in case, so a mis-cased name
 * is reported as {@link BindingSelection.Outcome#UNKNOWN} rather than silently picking a neighbour.
 *
 * <p>Thread-safe: the round-robin counters are {@link AtomicInteger}s, one per group. Build a new
 * selector when the policy is reloaded.
 */
public final class BindingSelector {
    private final TlsPolicy policy;
    private final Map<String, AtomicInteger> counters;

    public BindingSelector(TlsPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.counters = policy.groups().stream()
            .collect(Collectors.toUnmodifiableMap(BindingGroup::name, group -> new AtomicInteger()));
    }

    /** The policy the selector picks from (so callers resolve against the same instance). */
    public TlsPolicy policy() {
        return policy;
    }

    /**
     * @param name a binding or group name, or null/blank for "no binding"; not trimmed beyond the
     *     blank check, because names are matched exactly
     */
    public BindingSelection select(String name) {
        if (name == null || name.isBlank()) {
            return BindingSelection.none();
        }
        Optional<Binding> binding = policy.binding(name);
        if (binding.isPresent()) {
            return BindingSelection.selected(name, binding.get());
        }
        return policy.group(name)
            .map(group -> BindingSelection.selected(name, next(group)))
            .orElseGet(() -> BindingSelection.unknown(name));
    }

    private Binding next(BindingGroup group) {
        List<Binding> bindings = group.bindings();
        // floorMod keeps the index valid after the counter wraps past Integer.MAX_VALUE.
        int index = Math.floorMod(counters.get(group.name()).getAndIncrement(), bindings.size());
        return bindings.get(index);
    }
}
