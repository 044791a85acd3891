package org.jamestls.delivery.session;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.DeliveryPlanner;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;
import org.jamestls.smtp.TlsNegotiator;
import org.jamestls.tlsrpt.TlsProblem;

/**
 * Opens a session to one MX address as its {@link ConnectionPlan} says: connect (from the binding's address),
 * greeting, EHLO, and STARTTLS in the plan's mode with the plan's TLS profile, then what the plan requires of the
 * EHLO answer after STARTTLS ({@link #unmetRequirement}). All of it happens before any transaction, so under
 * MANDATORY no message byte can leave unless the handshake completed. Each TLS failure carries its
 * {@link TlsProblem} (the evidence for TLS reports), and a failure after the connect says where it came from.
 */
final class SessionOpener {
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    SessionOpener(int connectTimeoutMillis, int readTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    SessionOrFailure open(MxTarget target, ConnectionPlan plan) {
        SmtpConnection connection;
        try {
            connection = SmtpConnection.open(target.socketAddress(), plan.bindAddress(), connectTimeoutMillis, readTimeoutMillis);
        } catch (IOException e) {
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.1",
                "cannot connect to " + target + ": " + describe(e)));
        }
        try {
            SessionOrFailure opened = greetAndSecure(connection, target, plan);
            if (opened.failure().isPresent()) {
                connection.close();
                return opened.connectedFrom(connection.localAddress());
            }
            return opened;
        } catch (IOException e) {
            connection.close();
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2",
                "connection to " + target + " lost: " + describe(e))).connectedFrom(connection.localAddress());
        } catch (RuntimeException | Error e) {
            // never leave a socket open behind an exception (the pool frees the slot)
            connection.close();
            throw e;
        }
    }

    private SessionOrFailure greetAndSecure(SmtpConnection connection, MxTarget target, ConnectionPlan plan) throws IOException {
        SmtpReply greeting = connection.readReply();
        if (greeting.code() != 220) {
            connection.quietlyQuit();
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(greeting), target + " refused the session: " + greeting.asText()));
        }
        SmtpReply ehlo = hello(connection, plan.heloName());
        if (!ehlo.isPositive()) {
            connection.quietlyQuit();
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(ehlo), target + " refused HELO " + plan.heloName() + ": " + ehlo.asText()));
        }
        if (plan.startTlsMode() == StartTlsMode.NEVER) {
            return SessionOrFailure.ready(new SmtpSession(SessionKey.of(target, plan), connection, ehlo));
        }
        boolean offered = ehlo.offersExtension("STARTTLS");
        if (!offered && plan.startTlsMode() == StartTlsMode.MANDATORY) {
            connection.quietlyQuit();
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.STARTTLS_NOT_OFFERED,
                "4.7.6", "TLS required but " + target + " does not offer STARTTLS").withTlsProblem(TlsProblem.starttlsNotOffered()));
        }
        if (!offered) {
            return SessionOrFailure.ready(new SmtpSession(SessionKey.of(target, plan), connection, ehlo));
        }
        Optional<DeliveryFailure> tlsFailure = negotiateTls(connection, target, plan.tlsNegotiator());
        if (tlsFailure.isPresent()) {
            return SessionOrFailure.failed(tlsFailure.get());
        }
        SmtpReply secureEhlo = hello(connection, plan.heloName());
        if (!secureEhlo.isPositive()) {
            connection.quietlyQuit();
            return SessionOrFailure.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(secureEhlo), target + " refused EHLO after STARTTLS: " + secureEhlo.asText()));
        }
        Optional<DeliveryFailure> unmet = unmetRequirement(target, plan, secureEhlo);
        if (unmet.isPresent()) {
            connection.quietlyQuit();
            return SessionOrFailure.failed(unmet.get());
        }
        return SessionOrFailure.ready(new SmtpSession(SessionKey.of(target, plan), connection, secureEhlo));
    }

    /** REQUIRETLS (RFC 8689 section 4.2.1 step 5): the EHLO answer on the TLS session must offer it. */
    private static Optional<DeliveryFailure> unmetRequirement(MxTarget target, ConnectionPlan plan, SmtpReply secureEhlo) {
        if (!plan.requireTls() || secureEhlo.offersExtension("REQUIRETLS")) {
            return Optional.empty();
        }
        return Optional.of(new DeliveryFailure(FailureKind.REQUIRETLS_MISSING, DeliveryPlanner.REQUIRETLS_STATUS,
            "REQUIRETLS: " + target + " does not offer REQUIRETLS after STARTTLS"));
    }

    private static Optional<DeliveryFailure> negotiateTls(SmtpConnection connection, MxTarget target,
                                                          TlsNegotiator negotiator) throws IOException {
        SmtpReply reply = connection.command("STARTTLS");
        if (reply.code() != 220) {
            connection.quietlyQuit();
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: STARTTLS answered " + reply.asText())
                .withTlsProblem(TlsProblem.starttlsRefused(reply.asText())));
        }
        try {
            connection.startTls(negotiator, target.mxHost());
            return Optional.empty();
        } catch (IOException e) {
            Optional<CertificateException> rejected = certificateProblem(e);
            if (rejected.isPresent()) {
                return Optional.of(new DeliveryFailure(FailureKind.TLS_VERIFICATION, "4.7.5",
                    "certificate of " + target + " failed verification: " + rejected.get().getMessage())
                    .withTlsProblem(TlsProblem.handshake(e)));
            }
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: " + describe(e)).withTlsProblem(TlsProblem.handshake(e)));
        }
    }

    private static SmtpReply hello(SmtpConnection connection, String heloName) throws IOException {
        SmtpReply ehlo = connection.command("EHLO " + heloName);
        if (ehlo.isPermanentNegative()) {
            // servers without ESMTP: plain HELO, which offers no STARTTLS
            return connection.command("HELO " + heloName);
        }
        return ehlo;
    }

    /** A refusal before the transaction is retried elsewhere or later; it never bounces on its own. */
    private static String transientStatusOf(SmtpReply reply) {
        return "4" + reply.enhancedStatus().substring(1);
    }

    private static Optional<CertificateException> certificateProblem(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return Optional.of((CertificateException) cause);
            }
        }
        return Optional.empty();
    }

    static String describe(IOException e) {
        String type = e instanceof SocketTimeoutException ? "timeout"
            : e instanceof ConnectException ? "connection refused"
            : e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }
}
