package org.jamestls.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.util.Optional;

import org.jamestls.smtp.SmtpConnection;
import org.jamestls.smtp.SmtpReply;
import org.jamestls.smtp.TlsNegotiator;

/**
 * Opens a session to one MX address: connect (from the binding's address), greeting, EHLO, and STARTTLS
 * as the mode says. The TLS decision is made here, before any transaction, so under MANDATORY no
 * message byte can leave unless the handshake completed.
 */
final class SessionOpener {
    /** Either a ready session or why there is none. */
    static final class Opened {
        final Optional<SmtpSession> session;
        final Optional<DeliveryFailure> failure;

        private Opened(Optional<SmtpSession> session, Optional<DeliveryFailure> failure) {
            this.session = session;
            this.failure = failure;
        }

        static Opened ready(SmtpSession session) {
            return new Opened(Optional.of(session), Optional.empty());
        }

        static Opened failed(DeliveryFailure failure) {
            return new Opened(Optional.empty(), Optional.of(failure));
        }
    }

    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    SessionOpener(int connectTimeoutMillis, int readTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    Opened open(MxTarget target, ConnectionPlan plan) {
        SmtpConnection connection;
        try {
            connection = SmtpConnection.open(target.socketAddress(), plan.bindAddress(), connectTimeoutMillis, readTimeoutMillis);
        } catch (IOException e) {
            return Opened.failed(new DeliveryFailure(FailureKind.CONNECTION, "4.4.1",
                "cannot connect to " + target + ": " + describe(e)));
        }
        try {
            Opened opened = greetAndSecure(connection, target, plan);
            if (opened.failure.isPresent()) {
                connection.close();
            }
            return opened;
        } catch (IOException e) {
            connection.close();
            return Opened.failed(new DeliveryFailure(FailureKind.PROTOCOL, "4.4.2",
                "connection to " + target + " lost: " + describe(e)));
        }
    }

    private Opened greetAndSecure(SmtpConnection connection, MxTarget target, ConnectionPlan plan) throws IOException {
        SmtpReply greeting = connection.readReply();
        if (greeting.code() != 220) {
            connection.quietlyQuit();
            return Opened.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(greeting), target + " refused the session: " + greeting.asText()));
        }
        SmtpReply ehlo = hello(connection, plan.heloName());
        if (!ehlo.isPositive()) {
            connection.quietlyQuit();
            return Opened.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(ehlo), target + " refused HELO " + plan.heloName() + ": " + ehlo.asText()));
        }
        if (plan.startTlsMode() == StartTlsMode.NEVER) {
            return Opened.ready(new SmtpSession(SessionKey.of(target, plan), connection, ehlo));
        }
        boolean offered = ehlo.offersExtension("STARTTLS");
        if (!offered && plan.startTlsMode() == StartTlsMode.MANDATORY) {
            connection.quietlyQuit();
            return Opened.failed(new DeliveryFailure(FailureKind.STARTTLS_NOT_OFFERED,
                "4.7.6", "TLS required but " + target + " does not offer STARTTLS"));
        }
        if (!offered) {
            return Opened.ready(new SmtpSession(SessionKey.of(target, plan), connection, ehlo));
        }
        Optional<DeliveryFailure> tlsFailure = negotiateTls(connection, target, plan.tlsNegotiator());
        if (tlsFailure.isPresent()) {
            return Opened.failed(tlsFailure.get());
        }
        SmtpReply secureEhlo = hello(connection, plan.heloName());
        if (!secureEhlo.isPositive()) {
            connection.quietlyQuit();
            return Opened.failed(new DeliveryFailure(FailureKind.GREETING_REJECTED,
                transientStatusOf(secureEhlo), target + " refused EHLO after STARTTLS: " + secureEhlo.asText()));
        }
        return Opened.ready(new SmtpSession(SessionKey.of(target, plan), connection, secureEhlo));
    }

    private static Optional<DeliveryFailure> negotiateTls(SmtpConnection connection, MxTarget target,
                                                          TlsNegotiator negotiator) throws IOException {
        SmtpReply reply = connection.command("STARTTLS");
        if (reply.code() != 220) {
            connection.quietlyQuit();
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: STARTTLS answered " + reply.asText()));
        }
        try {
            connection.startTls(negotiator, target.mxHost());
            return Optional.empty();
        } catch (IOException e) {
            Optional<CertificateException> rejected = certificateProblem(e);
            if (rejected.isPresent()) {
                return Optional.of(new DeliveryFailure(FailureKind.TLS_VERIFICATION, "4.7.5",
                    "certificate of " + target + " failed verification: " + rejected.get().getMessage()));
            }
            return Optional.of(new DeliveryFailure(FailureKind.TLS_NEGOTIATION, "4.7.5",
                "TLS negotiation with " + target + " failed: " + describe(e)));
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
