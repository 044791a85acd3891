package org.jamestls.tlsrpt;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Singleton;

/**
 * Hands the running {@link TlsRptService} to the WebAdmin routes, like {@code policy.LoadedPolicies} does for the
 * policy: Guice creates one instance for the server (just-in-time singleton), shared by the mailet and the routes.
 */
@Singleton
public class TlsRptRegistry {
    private final AtomicReference<TlsRptService> service = new AtomicReference<>();

    public void register(TlsRptService running) {
        service.set(running);
    }

    /** Forgets {@code stopped} if it is the one registered (the mailet's destroy). */
    public void unregister(TlsRptService stopped) {
        service.compareAndSet(stopped, null);
    }

    public Optional<TlsRptService> current() {
        return Optional.ofNullable(service.get());
    }
}
