package org.jamestls.webadmin;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Singleton;

import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.policy.EffectivePolicy;

/**
 * Hands what the mailet loaded (its policy with the mailet's defaults, and its MTA-STS/DANE lookups) to the
 * WebAdmin routes. Guice creates one instance for the server (just-in-time singleton), shared by the mailet and
 * the routes.
 */
@Singleton
public class LoadedPolicies {
    /** A policy with the file it came from and the lookups of what receivers publish. */
    public static final class Loaded {
        private final String source;
        private final EffectivePolicy policy;
        private final PublishedPolicies published;

        Loaded(String source, EffectivePolicy policy, PublishedPolicies published) {
            this.source = source;
            this.policy = policy;
            this.published = published;
        }

        public String source() {
            return source;
        }

        public EffectivePolicy policy() {
            return policy;
        }

        public PublishedPolicies published() {
            return published;
        }
    }

    private final AtomicReference<Loaded> current = new AtomicReference<>();

    public void register(String source, EffectivePolicy policy, PublishedPolicies published) {
        current.set(new Loaded(source, policy, published));
    }

    public Optional<Loaded> current() {
        return Optional.ofNullable(current.get());
    }
}
