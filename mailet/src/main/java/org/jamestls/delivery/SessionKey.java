package org.jamestls.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.smtp.TlsNegotiator;

/**
 * Which sessions are interchangeable: same MX address, same outbound identity (source address, HELO)
 * and the same TLS treatment (mode and client profile, itself one per distinct option set).
 */
final class SessionKey {
    private final InetSocketAddress remote;
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode mode;
    private final TlsNegotiator negotiator;

    private SessionKey(InetSocketAddress remote, Optional<InetAddress> bindAddress, String heloName, StartTlsMode mode,
                       TlsNegotiator negotiator) {
        this.remote = remote;
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.mode = mode;
        this.negotiator = negotiator;
    }

    static SessionKey of(MxTarget target, ConnectionPlan plan) {
        return new SessionKey(target.socketAddress(), plan.bindAddress(), plan.heloName(), plan.startTlsMode(),
            plan.tlsNegotiator());
    }

    InetSocketAddress remote() {
        return remote;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SessionKey)) {
            return false;
        }
        SessionKey other = (SessionKey) o;
        // profiles are shared per option set, so identity is the right equality for them
        return remote.equals(other.remote) && bindAddress.equals(other.bindAddress) && heloName.equals(other.heloName)
            && mode == other.mode && negotiator == other.negotiator;
    }

    @Override
    public int hashCode() {
        return Objects.hash(remote, bindAddress, heloName, mode, System.identityHashCode(negotiator));
    }
}
