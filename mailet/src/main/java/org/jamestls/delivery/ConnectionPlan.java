package org.jamestls.delivery;

import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.smtp.TlsNegotiator;

/** What one connection needs: the outbound identity and how to treat STARTTLS. */
public final class ConnectionPlan {
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode startTlsMode;
    private final TlsNegotiator tlsNegotiator;

    public ConnectionPlan(Optional<InetAddress> bindAddress, String heloName, StartTlsMode startTlsMode,
                          TlsNegotiator tlsNegotiator) {
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.startTlsMode = startTlsMode;
        this.tlsNegotiator = tlsNegotiator;
    }

    public ConnectionPlan withStartTlsMode(StartTlsMode mode) {
        return new ConnectionPlan(bindAddress, heloName, mode, tlsNegotiator);
    }

    public ConnectionPlan withTlsNegotiator(TlsNegotiator negotiator) {
        return new ConnectionPlan(bindAddress, heloName, startTlsMode, negotiator);
    }

    public Optional<InetAddress> bindAddress() {
        return bindAddress;
    }

    public String heloName() {
        return heloName;
    }

    public StartTlsMode startTlsMode() {
        return startTlsMode;
    }

    public TlsNegotiator tlsNegotiator() {
        return tlsNegotiator;
    }
}
