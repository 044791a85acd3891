package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.testing.Await;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11: whatever goes wrong between {@link SessionPool#acquire} and the session's return (an IOException, a
 * RuntimeException such as the IllegalArgumentException of a line break in a command, an Error, a refusal, a 421),
 * the session's connection is closed and its slot freed. Four threads run 400 attempts with a fault drawn at random
 * (seeded) for each, through {@link HostDelivery} and the real pool, to scripted receivers (one that answers 421 to
 * MAIL FROM, which Postfix only does when shutting down) and a closed port. After each round of 20, no session is busy
 * and every slot is held by an idle session; at the end, once the idle sessions expired, the pool holds nothing and
 * the receivers see no connection left open.
 */
class SessionPoolInvariantTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 20;
    private static final long SEED = 11;

    /** What goes wrong in one attempt. */
    enum Fault {
        NONE, REFUSED_RECIPIENT, DEFERRED_RECIPIENT, LINE_BREAK_IN_RECIPIENT, MESSAGE_THROWS_BEFORE_SENDING,
        MESSAGE_THROWS_WHILE_SENDING, ERROR_WHILE_SENDING, LINE_BREAK_IN_HELO, RECEIVER_ANSWERS_421, CONNECTION_REFUSED
    }

    /** The faults that throw out of {@link HostDelivery#attempt}; the others end in a result. */
    private static final java.util.Set<Fault> THROWING = java.util.EnumSet.of(Fault.LINE_BREAK_IN_RECIPIENT,
        Fault.MESSAGE_THROWS_BEFORE_SENDING, Fault.MESSAGE_THROWS_WHILE_SENDING, Fault.ERROR_WHILE_SENDING,
        Fault.LINE_BREAK_IN_HELO);

    @Test
    void afterManyRandomFaultsAnIdlePoolHoldsNoSessionAndNoSlot() throws Exception {
        Map<Fault, AtomicInteger> seen = run(List.of(Fault.values()), ROUNDS);

        assertThat(seen.keySet()).as("every fault drawn").containsExactlyInAnyOrder(Fault.values());
    }

    /** Each fault on its own, 40 attempts (more than the host's slots, so one leak per attempt would show). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Fault.class)
    void eachFaultAloneLeavesNothingHeld(Fault fault) throws Exception {
        run(List.of(fault), 2);
    }

    private Map<Fault, AtomicInteger> run(List<Fault> faults, int rounds) throws Exception {
        AtomicLong clockJump = new AtomicLong();
        ScheduledExecutorService poolThread = Executors.newSingleThreadScheduledExecutor();
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        Map<Fault, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Fault, AtomicInteger> threw = new java.util.concurrent.ConcurrentHashMap<>();
        try (ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null)
                 .rejectingRecipientsStartingWith("refused").answeringRecipientsStartingWith("later", "450 4.2.0 later");
             ScriptedSmtpServer closing = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_NOT_OFFERED, null)
                 .answeringMailFrom("421 4.3.2 shutting down");
             SessionPool pool = new SessionPool(3, Duration.ofSeconds(30), 2, 4,
                 () -> System.nanoTime() + clockJump.get(), poolThread, false)) {
            HostDelivery delivery = new HostDelivery(1000, 5000, pool);
            MxTarget good = target(receiver.port());
            MxTarget refusing = target(closedPort());
            Random random = new Random(SEED);
            for (int round = 0; round < rounds; round++) {
                List<Future<?>> attempts = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Fault fault = faults.get(random.nextInt(faults.size()));
                    seen.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
                    MxTarget target = fault == Fault.RECEIVER_ANSWERS_421 ? target(closing.port())
                        : fault == Fault.CONNECTION_REFUSED ? refusing : good;
                    // two HELO names: two identities share the host's slots, so evictions happen too
                    String helo = fault == Fault.LINE_BREAK_IN_HELO ? "relay.test\r\nMAIL FROM:<x@y>"
                        : random.nextBoolean() ? "one.relay.test" : "two.relay.test";
                    Mail mail = mail(round + "-" + i, fault);
                    attempts.add(callers.submit(() -> {
                        if (attemptQuietly(delivery, target, plan(helo), mail)) {
                            threw.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
                        }
                    }));
                }
                for (Future<?> attempt : attempts) {
                    attempt.get(60, TimeUnit.SECONDS);
                }
                assertThat(pool.busySessions()).as("busy sessions after round %d", round).isZero();
                assertThat(pool.openConnections()).as("slots held after round %d (idle sessions: %d)", round,
                    pool.idleSessions()).isEqualTo(pool.idleSessions());
            }
            for (Fault fault : seen.keySet()) {
                assertThat(threw.getOrDefault(fault, new AtomicInteger()).get()).as("attempts with %s that threw", fault)
                    .isEqualTo(THROWING.contains(fault) ? seen.get(fault).get() : 0);
            }

            clockJump.set(Duration.ofHours(1).toNanos());
            pool.closeExpired();

            assertThat(pool.idleSessions()).isZero();
            assertThat(pool.openConnections()).as("slots held by an idle pool").isZero();
            assertThat(pool.hostsWithConnections()).isZero();
            Await.until(() -> receiver.gauge().open() == 0 && closing.gauge().open() == 0, Duration.ofSeconds(10),
                "the receivers see every connection closed");
            if (faults.contains(Fault.NONE)) {
                assertThat(receiver.messages()).as("mails without a fault were delivered").isPositive();
            }
        } finally {
            callers.shutdownNow();
            poolThread.shutdownNow();
        }
        return seen;
    }

    /** Whether the attempt threw (the fault itself: what matters is what the pool holds afterwards). */
    private static boolean attemptQuietly(HostDelivery delivery, MxTarget target, ConnectionPlan plan, Mail mail) {
        try {
            delivery.attempt(target, plan, mail, mail.getRecipients());
            return false;
        } catch (RuntimeException | Error expected) {
            return true;
        } finally {
            org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
        }
    }

    private static Mail mail(String name, Fault fault) throws Exception {
        String local = fault == Fault.REFUSED_RECIPIENT ? "refused" : fault == Fault.DEFERRED_RECIPIENT ? "later" : "rcpt";
        MailImpl mail = MailImpl.builder().name(name).sender("from@source.test")
            .addRecipient(new MailAddress(local + name + "@dest.test")).build();
        if (fault == Fault.LINE_BREAK_IN_RECIPIENT) {
            // MailAddress refuses a line break when parsing; one that renders with one (as a queue's decoder or another
            // mailet could hand over) reaches the RCPT command
            mail.setRecipients(List.of(new MailAddress("rcpt" + name + "@dest.test") {
                @Override
                public String asString() {
                    return "rcpt\r\nDATA@dest.test";
                }
            }));
        }
        mail.setMessage(new MimeMessage(Session.getDefaultInstance(new java.util.Properties())) {
            {
                setSubject("faults");
                setText("body\r\n");
                saveChanges();
            }
        });
        return withMessage(mail, new FaultyMessage(fault));
    }

    /** The mail as it is, but its message is {@code message} (MailImpl keeps its own copy of what it is given). */
    private static Mail withMessage(Mail mail, MimeMessage message) {
        return (Mail) java.lang.reflect.Proxy.newProxyInstance(Mail.class.getClassLoader(), new Class<?>[] {Mail.class},
            (proxy, method, args) -> {
                if (method.getName().equals("getMessage")) {
                    return message;
                }
                try {
                    return method.invoke(mail, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    /** A small text message that, as the fault says, throws on its first write (the 8-bit scan) or its second (DATA). */
    private static final class FaultyMessage extends MimeMessage {
        private final Fault fault;
        private final AtomicInteger writes = new AtomicInteger();

        FaultyMessage(Fault fault) throws MessagingException {
            super(Session.getDefaultInstance(new java.util.Properties()));
            this.fault = fault;
            setSubject("faults");
            setText("body\r\n");
            saveChanges();
        }

        @Override
        public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
            int write = writes.incrementAndGet();
            if (fault == Fault.MESSAGE_THROWS_BEFORE_SENDING && write == 1) {
                throw new IllegalStateException("the message cannot be read");
            }
            if (write > 1 && (fault == Fault.MESSAGE_THROWS_WHILE_SENDING || fault == Fault.ERROR_WHILE_SENDING)) {
                out.write("Subject: half a message\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                if (fault == Fault.ERROR_WHILE_SENDING) {
                    throw new StackOverflowError("deep");
                }
                throw new IllegalStateException("the message broke half way");
            }
            super.writeTo(out, ignoreList);
        }
    }

    private static ConnectionPlan plan(String helo) {
        return new ConnectionPlan(Optional.empty(), helo, StartTlsMode.NEVER, TestTls.unverified());
    }

    private static MxTarget target(int port) {
        return new MxTarget("mx.dest.test", InetAddress.getLoopbackAddress(), port);
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
