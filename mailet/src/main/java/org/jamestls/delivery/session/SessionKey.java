package org.jamestls.delivery.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.smtp.TlsNegotiator;

/**
 * Which sessions are interchangeable: same MX address, same outbound identity (source address, HELO)
 * and the same TLS treatment (mode and client profile, itself one per distinct option set).
 */
final class SessionKey {
    /** Names the MX in failure texts; not part of the identity (the address is). */
    private final MxTarget target;
    private final InetSocketAddress remote;
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode mode;
    private final TlsNegotiator negotiator;

    private SessionKey(MxTarget target, Optional<InetAddress> bindAddress, String heloName, StartTlsMode mode,
                       TlsNegotiator negotiator) {
        this.target = target;
        this.remote = target.socketAddress();
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.mode = mode;
        this.negotiator = negotiator;
    }

    static SessionKey of(MxTarget target, ConnectionPlan plan) {
        return new SessionKey(target, plan.bindAddress(), plan.heloName(), plan.startTlsMode(), plan.tlsNegotiator());
    }

    MxTarget target() {
        return target;
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
