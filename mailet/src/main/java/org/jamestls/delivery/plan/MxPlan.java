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
 * ({@link MxSecurity}: deciding mechanism, effective level, published policy) for logs, attributes and metrics,
 * what to do with the memory of broken TLS ({@link BrokenTlsHandling}), and, for a REQUIRETLS connection, that its
 * TLS failures are final ({@link #failureOf}). Immutable; built by {@link DeliveryPlanner}.
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
    private final Optional<BrokenTlsHandling> brokenTls;
    private final TlsReportTerms reportTerms;

    private MxPlan(MxTarget target, MxSecurity security, Optional<DeliveryFailure> refusal,
                   Optional<ConnectionPlan> connection, Optional<ConnectionPlan> plaintextFallback,
                   Optional<BrokenTlsHandling> brokenTls) {
        this(target, security, refusal, connection, plaintextFallback, brokenTls, TlsReportTerms.NOT_REPORTED);
    }

    private MxPlan(MxTarget target, MxSecurity security, Optional<DeliveryFailure> refusal,
                   Optional<ConnectionPlan> connection, Optional<ConnectionPlan> plaintextFallback,
                   Optional<BrokenTlsHandling> brokenTls, TlsReportTerms reportTerms) {
        this.target = Objects.requireNonNull(target, "target");
        this.security = Objects.requireNonNull(security, "security");
        this.refusal = refusal;
        this.connection = connection;
        this.plaintextFallback = plaintextFallback;
        this.brokenTls = brokenTls;
        this.reportTerms = Objects.requireNonNull(reportTerms, "reportTerms");
    }

    /**
     * This MX must not be tried: not in the MTA-STS policy, DANE data unusable, the TLS profile {@code mechanism}
     * needs cannot be built (temporary), or not meeting the sender's REQUIRETLS (permanent); reported with the level
     * {@code mechanism} would have used.
     */
    static MxPlan refused(MxTarget target, TlsMechanism mechanism, TlsLevel level, DeliveryFailure refusal) {
        return new MxPlan(target, new MxSecurity(mechanism, level, mechanism.label() + ": " + refusal.detail()),
            Optional.of(refusal), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * A published policy (or the sender's REQUIRETLS) makes TLS mandatory: {@code connection} is MANDATORY, and there
     * is no fallback.
     */
    static MxPlan mandatoryTls(MxTarget target, TlsMechanism mechanism, ConnectionPlan connection, String description) {
        return new MxPlan(target, new MxSecurity(mechanism, TlsLevel.REQUIRED, mechanism.label() + ": " + description),
            Optional.empty(), Optional.of(connection), Optional.empty(), Optional.empty());
    }

    /**
     * The operator's level stands, or what a {@code TLS-Required: No} header lowered it to ({@code mechanism} only
     * observes, as MTA-STS testing does, or is the policy or the header).
     */
    static MxPlan operatorLevel(MxTarget target, TlsMechanism mechanism, TlsLevel level, ConnectionPlan connection,
                                Optional<ConnectionPlan> plaintextFallback, String description,
                                Optional<BrokenTlsHandling> brokenTls) {
        return new MxPlan(target, new MxSecurity(mechanism, level, mechanism.label() + ": " + description),
            Optional.empty(), Optional.of(connection), plaintextFallback, brokenTls);
    }

    /** A remembered failed handshake at this address: plaintext at once, no STARTTLS ({@code tlsRememberBroken}). */
    static MxPlan rememberedBroken(MxTarget target, ConnectionPlan plaintext, String description,
                                   BrokenTlsHandling handling) {
        return new MxPlan(target, new MxSecurity(TlsMechanism.BROKEN_TLS, TlsLevel.NO,
            TlsMechanism.BROKEN_TLS.label() + ": " + description), Optional.empty(), Optional.of(plaintext),
            Optional.empty(), Optional.of(handling));
    }

    /** The same plan, its sessions counted in TLS reports as {@code terms} say. */
    MxPlan reportedAs(TlsReportTerms terms) {
        return new MxPlan(target, security, refusal, connection, plaintextFallback, brokenTls, terms);
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

    /**
     * How a refusal is counted in the attempt metrics: the refusal's kind ({@code published-policy},
     * {@code requiretls} when the sender's REQUIRETLS refuses the MX, {@code internal-error} for unusable TLS settings).
     */
    public String refusalOutcome() {
        return refusal.map(DeliveryFailure::kind).orElse(FailureKind.PUBLISHED_POLICY).label();
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

    /** What this plan does with the memory of broken TLS; empty where the memory is not consulted. */
    public Optional<BrokenTlsHandling> brokenTls() {
        return brokenTls;
    }

    /** The plaintext fallback to make now, if {@code first} failed in its TLS handshake and a fallback is allowed. */
    public Optional<ConnectionPlan> fallbackAfter(HostAttemptResult first) {
        boolean handshakeFailed = first.connectionFailure()
            .map(f -> f.kind() == FailureKind.TLS_NEGOTIATION || f.kind() == FailureKind.TLS_VERIFICATION)
            .orElse(false);
        return handshakeFailed ? plaintextFallback : Optional.empty();
    }

    /** Reports one connection's result to the broken-TLS memory, as the plan says (nothing when not consulted). */
    public void afterAttempt(HostAttemptResult result) {
        brokenTls.ifPresent(handling -> handling.afterAttempt(result));
    }

    /**
     * What a connection failure of this plan counts as for the mail: as it is, except under REQUIRETLS, where a TLS
     * failure (STARTTLS missing, handshake, certificate) means this MX cannot carry the mail at all: 5.7.30.
     */
    public DeliveryFailure failureOf(DeliveryFailure connectionFailure) {
        boolean requireTls = connection.map(ConnectionPlan::requireTls).orElse(false);
        FailureKind kind = connectionFailure.kind();
        if (!requireTls || !kind.isTls() || kind.isRequireTls()) {
            return connectionFailure;
        }
        return new DeliveryFailure(FailureKind.REQUIRETLS, DeliveryPlanner.REQUIRETLS_STATUS,
            "REQUIRETLS: " + connectionFailure);
    }

    @Override
    public String toString() {
        return target + " " + security + refusal.map(r -> " refused: " + r).orElse("")
            + connection.map(c -> " " + c.startTlsMode() + (c.requireTls() ? " REQUIRETLS" : "")).orElse("")
            + plaintextFallback.map(f -> " (plaintext fallback)").orElse("")
            + brokenTls.map(b -> " (broken TLS: " + b + ")").orElse("");
    }
}
