package org.jamestls.delivery.plan;

import java.util.Objects;
import java.util.Optional;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxSecurity;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.outcome.TlsMechanism;
import org.jamestls.policy.TlsLevel;

/**
 * How to use one MX address, decided before any connection: either a refusal (the MX may not be tried), or the
 * connection to make with its final TLS profile and, where the operator's ifavailable allows it, the plaintext
 * connection to make at once when the first one's TLS handshake fails. Carries how the MX is secured
 * ({@link MxSecurity}: deciding mechanism, effective level, published policy) for logs, attributes and metrics.
 * Immutable; built by {@link DeliveryPlanner}.
 *
 * <p>TLS-RPT (RFC 8460): {@link #reportTerms()} is the policy this MX is judged by ({@code sts} with the policy
 * strings and MX patterns, {@code tlsa} with the records, or {@code no-policy-found}) and that policy's own problem,
 * taken by the planner from the same {@link DomainPublishedPolicy} lookups that decide {@link #security()}.
 */
public final class MxPlan {
    private final MxTarget target;
    private final MxSecurity security;
    private final Optional<DeliveryFailure> refusal;
    private final Optional<ConnectionPlan> connection;
    private final Optional<ConnectionPlan> plaintextFallback;
    private final TlsReportTerms reportTerms;

    private MxPlan(MxTarget target, MxSecurity security, Optional<DeliveryFailure> refusal,
                   Optional<ConnectionPlan> connection, Optional<ConnectionPlan> plaintextFallback) {
        this(target, security, refusal, connection, plaintextFallback, TlsReportTerms.NOT_REPORTED);
    }

    private MxPlan(MxTarget target, MxSecurity security, Optional<DeliveryFailure> refusal,
                   Optional<ConnectionPlan> connection, Optional<ConnectionPlan> plaintextFallback,
                   TlsReportTerms reportTerms) {
        this.target = Objects.requireNonNull(target, "target");
        this.security = Objects.requireNonNull(security, "security");
        this.refusal = refusal;
        this.connection = connection;
        this.plaintextFallback = plaintextFallback;
        this.reportTerms = Objects.requireNonNull(reportTerms, "reportTerms");
    }

    /** This MX must not be tried (not in the MTA-STS policy, DANE data unusable): a temporary failure. */
    static MxPlan refused(MxTarget target, TlsMechanism mechanism, DeliveryFailure refusal) {
        return new MxPlan(target, new MxSecurity(mechanism, TlsLevel.REQUIRED, mechanism.label() + ": " + refusal.detail()),
            Optional.of(refusal), Optional.empty(), Optional.empty());
    }

    /** A published policy makes TLS mandatory: {@code connection} is MANDATORY, and there is no fallback. */
    static MxPlan mandatoryTls(MxTarget target, TlsMechanism mechanism, ConnectionPlan connection, String description) {
        return new MxPlan(target, new MxSecurity(mechanism, TlsLevel.REQUIRED, mechanism.label() + ": " + description),
            Optional.empty(), Optional.of(connection), Optional.empty());
    }

    /** The operator's level stands ({@code mechanism} only observes, as MTA-STS testing does, or is the policy). */
    static MxPlan operatorLevel(MxTarget target, TlsMechanism mechanism, TlsLevel operatorLevel, ConnectionPlan connection,
                                Optional<ConnectionPlan> plaintextFallback, String description) {
        return new MxPlan(target, new MxSecurity(mechanism, operatorLevel, mechanism.label() + ": " + description),
            Optional.empty(), Optional.of(connection), plaintextFallback);
    }

    /** The same plan, its sessions counted in TLS reports as {@code terms} say. */
    MxPlan reportedAs(TlsReportTerms terms) {
        return new MxPlan(target, security, refusal, connection, plaintextFallback, terms);
    }

    public MxTarget target() {
        return target;
    }

    public MxSecurity security() {
        return security;
    }

    /** Why this MX may not be tried; empty when it may. */
    public Optional<DeliveryFailure> refusal() {
        return refusal;
    }

    /** The connection to make; empty exactly when {@link #refusal()} is present. */
    public Optional<ConnectionPlan> connection() {
        return connection;
    }

    /** How this MX's sessions count in TLS reports (RFC 8460). */
    public TlsReportTerms reportTerms() {
        return reportTerms;
    }

    /** The plaintext connection allowed after a failed handshake (Momentum's tls_ifavailable_fallback). */
    public Optional<ConnectionPlan> plaintextFallback() {
        return plaintextFallback;
    }

    /** The plaintext fallback to make now, if {@code first} failed in its TLS handshake and a fallback is allowed. */
    public Optional<ConnectionPlan> fallbackAfter(HostAttemptResult first) {
        boolean handshakeFailed = first.connectionFailure()
            .map(f -> f.kind() == FailureKind.TLS_NEGOTIATION || f.kind() == FailureKind.TLS_VERIFICATION)
            .orElse(false);
        return handshakeFailed ? plaintextFallback : Optional.empty();
    }

    @Override
    public String toString() {
        return target + " " + security + refusal.map(r -> " refused: " + r).orElse("")
            + connection.map(c -> " " + c.startTlsMode()).orElse("")
            + plaintextFallback.map(f -> " (plaintext fallback)").orElse("");
    }
}
