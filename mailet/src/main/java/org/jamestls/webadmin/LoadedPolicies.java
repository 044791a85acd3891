package org.jamestls.webadmin;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Singleton;

import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.policy.EffectivePolicy;

/**
 * Hands what the mailet loaded (its policy with the mailet's defaults, its MTA-STS/DANE lookups and its planner) to
 * the WebAdmin routes. Guice creates one instance for the server (just-in-time singleton), shared by the mailet and
 * the routes.
 */
@Singleton
public class LoadedPolicies {
    /** A policy with the file it came from, the lookups of what receivers publish, and the planner using both. */
    public static final class Loaded {
        private final String source;
        private final EffectivePolicy policy;
        private final PublishedPolicies published;
        private final DeliveryPlanner planner;

        Loaded(String source, EffectivePolicy policy, PublishedPolicies published, DeliveryPlanner planner) {
            this.source = source;
            this.policy = policy;
            this.published = published;
            this.planner = planner;
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

        /** The mailet's own planner: what it would decide for a mail now (the broken-TLS memory included). */
        public DeliveryPlanner planner() {
            return planner;
        }
    }

    private final AtomicReference<Loaded> current = new AtomicReference<>();

    public void register(String source, EffectivePolicy policy, PublishedPolicies published, DeliveryPlanner planner) {
        current.set(new Loaded(source, policy, published, planner));
    }

    public Optional<Loaded> current() {
        return Optional.ofNullable(current.get());
    }
}
