package org.jamestls.delivery.session;

import java.net.InetAddress;
import java.util.Optional;

import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.ScriptedSmtpServer;

/** One MX address (a scripted receiver) and outbound identity (the HELO name tells identities apart), plaintext. */
final class PoolDestination {
    final MxTarget target;
    final ConnectionPlan plan;
    final SessionKey key;

    PoolDestination(ScriptedSmtpServer server, String heloName) {
        target = new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), server.port());
        plan = new ConnectionPlan(Optional.empty(), heloName, StartTlsMode.NEVER, TestTls.unverified());
        key = SessionKey.of(target, plan);
    }
}
