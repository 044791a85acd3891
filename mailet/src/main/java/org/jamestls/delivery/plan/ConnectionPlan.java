package org.jamestls.delivery.plan;

import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.smtp.TlsNegotiator;

/**
 * What one connection needs, as the planner decided it: the outbound identity (source address, HELO name), how
 * to treat STARTTLS, and the final TLS profile (trust, verification, client certificate, protocols, ciphers).
 * The session code follows it and decides nothing. Immutable.
 *
 * <p>REQUIRETLS (RFC 8689) adds an EHLO requirement here (the receiver must offer REQUIRETLS), which the session
 * opener checks where it checks STARTTLS under {@link StartTlsMode#MANDATORY}.
 */
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

    /** The same connection with TLS mandatory and authenticated by {@code negotiator}. */
    public ConnectionPlan mandatory(TlsNegotiator negotiator) {
        return new ConnectionPlan(bindAddress, heloName, StartTlsMode.MANDATORY, negotiator);
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
