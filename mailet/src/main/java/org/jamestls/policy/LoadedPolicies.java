package org.jamestls.policy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Singleton;

/**
 * Hands the policy the mailet loaded to the WebAdmin route. Guice creates one instance for the server
 * (just-in-time singleton), shared by the mailet and the route.
 */
@Singleton
public class LoadedPolicies {
    /** A policy with the file it came from. */
    public static final class Loaded {
        private final String source;
        private final TlsPolicy policy;
        private final boolean ifAvailableFallbackDefault;

        Loaded(String source, TlsPolicy policy, boolean ifAvailableFallbackDefault) {
            this.source = source;
            this.policy = policy;
            this.ifAvailableFallbackDefault = ifAvailableFallbackDefault;
        }

        /** The mailet's tlsIfAvailableFallback parameter, which applies when no scope sets the option. */
        public boolean ifAvailableFallbackDefault() {
            return ifAvailableFallbackDefault;
        }

        public String source() {
            return source;
        }

        public TlsPolicy policy() {
            return policy;
        }
    }

    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final AtomicReference<PublishedPolicyInspector> published = new AtomicReference<>();

    public void register(String source, TlsPolicy policy, boolean ifAvailableFallbackDefault) {
        current.set(new Loaded(source, policy, ifAvailableFallbackDefault));
    }

    public void registerPublished(PublishedPolicyInspector inspector) {
        published.set(inspector);
    }

    /** The mailet's MTA-STS/DANE lookups, once it has started. */
    public Optional<PublishedPolicyInspector> published() {
        return Optional.ofNullable(published.get());
    }

    public Optional<Loaded> current() {
        return Optional.ofNullable(current.get());
    }
}
