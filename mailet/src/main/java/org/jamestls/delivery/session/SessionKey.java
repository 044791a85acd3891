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
 * and the same TLS treatment (mode and client profile, itself one per distinct option set, and whether the
 * session was opened for REQUIRETLS, which its MAIL FROM then passes on).
 */
final class SessionKey {
    /** Names the MX in failure texts; not part of the identity (the address is). */
    private final MxTarget target;
    private final InetSocketAddress remote;
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode mode;
    private final TlsNegotiator negotiator;
    private final boolean requireTls;

    private SessionKey(MxTarget target, Optional<InetAddress> bindAddress, String heloName, StartTlsMode mode,
                       TlsNegotiator negotiator, boolean requireTls) {
        this.target = target;
        this.remote = target.socketAddress();
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.mode = mode;
        this.negotiator = negotiator;
        this.requireTls = requireTls;
    }

    static SessionKey of(MxTarget target, ConnectionPlan plan) {
        return new SessionKey(target, plan.bindAddress(), plan.heloName(), plan.startTlsMode(), plan.tlsNegotiator(),
            plan.requireTls());
    }

    MxTarget target() {
        return target;
    }

    InetSocketAddress remote() {
        return remote;
    }

    /** Opened for REQUIRETLS: the receiver offered it after STARTTLS, and each MAIL FROM passes it on. */
    boolean requireTls() {
        return requireTls;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SessionKey)) {
            return false;
        }
        SessionKey other = (SessionKey) o;
        // profiles are shared per option set, so identity is the right equality for them
        return remote.equals(other.remote) && bindAddress.equals(other.bindAddress) && heloName.equals(other.heloName)
            && mode == other.mode && negotiator == other.negotiator && requireTls == other.requireTls;
    }

    @Override
    public int hashCode() {
        return Objects.hash(remote, bindAddress, heloName, mode, System.identityHashCode(negotiator), requireTls);
    }
}
