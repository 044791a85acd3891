package org.jamestls.delivery.plan;

import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.smtp.TlsNegotiator;

/**
 * What one connection needs, as the planner decided it: the outbound identity (source address, HELO name), how
 * to treat STARTTLS, and the final TLS profile (trust, verification, client certificate, protocols, ciphers).
 * The session code follows it and decides nothing. Immutable.
 *
 * <p>REQUIRETLS (RFC 8689) adds a requirement here ({@link #requireTls()}): the receiver's EHLO after STARTTLS must
 * offer REQUIRETLS, which the session opener checks before any transaction, and MAIL FROM carries the parameter.
 * Always with {@link StartTlsMode#MANDATORY}.
 */
public final class ConnectionPlan {
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode startTlsMode;
    private final TlsNegotiator tlsNegotiator;
    private final boolean requireTls;

    public ConnectionPlan(Optional<InetAddress> bindAddress, String heloName, StartTlsMode startTlsMode,
                          TlsNegotiator tlsNegotiator) {
        this(bindAddress, heloName, startTlsMode, tlsNegotiator, false);
    }

    private ConnectionPlan(Optional<InetAddress> bindAddress, String heloName, StartTlsMode startTlsMode,
                           TlsNegotiator tlsNegotiator, boolean requireTls) {
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.startTlsMode = startTlsMode;
        this.tlsNegotiator = tlsNegotiator;
        this.requireTls = requireTls;
    }

    /** The same connection with TLS mandatory and authenticated by {@code negotiator}. */
    public ConnectionPlan mandatory(TlsNegotiator negotiator) {
        return new ConnectionPlan(bindAddress, heloName, StartTlsMode.MANDATORY, negotiator, requireTls);
    }

    public ConnectionPlan withStartTlsMode(StartTlsMode mode) {
        return new ConnectionPlan(bindAddress, heloName, mode, tlsNegotiator, requireTls);
    }

    public ConnectionPlan withTlsNegotiator(TlsNegotiator negotiator) {
        return new ConnectionPlan(bindAddress, heloName, startTlsMode, negotiator, requireTls);
    }

    /** The same connection, mandatory TLS with {@code negotiator}, for a REQUIRETLS mail (RFC 8689 section 4.2.1). */
    public ConnectionPlan requiringTls(TlsNegotiator negotiator) {
        return new ConnectionPlan(bindAddress, heloName, StartTlsMode.MANDATORY, negotiator, true);
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

    /** REQUIRETLS: the receiver must offer it after STARTTLS, and MAIL FROM passes it on. */
    public boolean requireTls() {
        return requireTls;
    }
}
