package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.Test;

/** Sessions are reused within the operator's bounds, and never after a failure or a 421. */
class SessionReuseTest {
    private final AtomicLong clock = new AtomicLong();

    @Test
    void consecutiveMailsShareOneSessionWithOneHandshakeAndNoRsetBetweenThem() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(100, 4)) {
            List<HostAttemptResult> results = send(server, pool, plan("relay.test"), 3);

            assertThat(results).allSatisfy(result -> assertThat(result.tls()).isPresent());
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.count("STARTTLS")).isEqualTo(1);
            assertThat(server.count("MAIL FROM")).isEqualTo(3);
            assertThat(server.count("RSET")).as("RFC 5321: none after a completed transaction").isZero();
            assertThat(pool.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void maxMessagesPerConnectionRetiresTheSession() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(2, 4)) {
            send(server, pool, plan("relay.test"), 3);

            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void idleSessionsExpireAfterTheIdleTime() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(100, 4)) {
            send(server, pool, plan("relay.test"), 1);
            clock.addAndGet(Duration.ofSeconds(11).toNanos());
            pool.closeExpired();
            send(server, pool, plan("relay.test"), 1);

            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.count("QUIT")).isEqualTo(1);
        }
    }

    @Test
    void a421ClosesTheSessionAndTheNextMailOpensANewOne() throws Exception {
        try (ScriptedSmtpServer server = server().closingChannelAtMessage(2); SessionPool pool = pool(100, 4)) {
            List<HostAttemptResult> results = send(server, pool, plan("relay.test"), 3);

            assertThat(results.get(1).recipientOutcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE));
            assertThat(results.get(2).recipientOutcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.DELIVERED));
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void differentOutboundIdentitiesDoNotShareSessions() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(100, 4)) {
            send(server, pool, plan("one.test"), 1);
            send(server, pool, plan("two.test"), 1);
            send(server, pool, plan("one.test"), 1);

            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.commands()).containsSubsequence("EHLO one.test", "EHLO two.test");
        }
    }

    @Test
    void aFullHostClosesAnIdleSessionOfAnotherIdentityToMakeRoom() throws Exception {
        try (ScriptedSmtpServer server = server(); SessionPool pool = pool(100, 1)) {
            send(server, pool, plan("one.test"), 1);
            send(server, pool, plan("two.test"), 1);

            assertThat(server.connections()).isEqualTo(2);
            assertThat(pool.openConnections()).isEqualTo(1);
        }
    }

    private SessionPool pool(int maxMessages, int maxPerHost) {
        return new SessionPool(maxMessages, Duration.ofSeconds(10), maxPerHost, clock::get, SessionPool.poolThread(), false);
    }

    private static ScriptedSmtpServer server() throws Exception {
        return new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS);
    }

    private static ConnectionPlan plan(String heloName) {
        return new ConnectionPlan(Optional.empty(), heloName, StartTlsMode.MANDATORY, TestTls.unverified());
    }

    private static List<HostAttemptResult> send(ScriptedSmtpServer server, SessionPool pool, ConnectionPlan plan, int mails)
            throws Exception {
        HostDelivery delivery = new HostDelivery(5000, 5000, pool);
        MxTarget target = new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), server.port());
        List<HostAttemptResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < mails; i++) {
            results.add(delivery.attempt(target, plan, MailImpl.builder().name("m" + i).sender("a@source.test")
                .addRecipient("b@dest.test")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("s" + i).setText("t")).build(),
                List.of(new MailAddress("b@dest.test"))));
        }
        return results;
    }
}
