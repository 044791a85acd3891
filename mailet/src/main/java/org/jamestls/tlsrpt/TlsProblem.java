package org.jamestls.tlsrpt;

import java.util.Objects;
import java.util.Optional;

import org.jamestls.mtasts.MtaStsLookup;

/**
 * What went wrong with TLS in one delivery attempt, as the delivery code knows it at the point of failure: where
 * it happened ({@link Stage}) and the evidence (the exception the JSSE threw, the text a trust manager recorded,
 * the MTA-STS lookup). {@link ResultTypeClassifier} turns it into an RFC 8460 result type and reason code.
 * Immutable. Failures that are not about TLS (DNS, connection refused, greeting, SMTP replies) have no stage:
 * RFC 8460 §4.3.4 does not ask for them, and they are not reported.
 */
public final class TlsProblem {
    /** Where the problem arose; each constant names its producer. */
    public enum Stage {
        /** {@code SessionOpener}: TLS mandatory and the EHLO reply lacks STARTTLS (FailureKind STARTTLS_NOT_OFFERED). */
        STARTTLS_NOT_OFFERED,
        /** {@code SessionOpener}: STARTTLS offered but answered with something else than 220 (TLS_NEGOTIATION). */
        STARTTLS_REFUSED,
        /** {@code SessionOpener}: the handshake failed without a certificate exception, e.g. no common protocol (TLS_NEGOTIATION). */
        HANDSHAKE_FAILED,
        /**
         * {@code SessionOpener}: the trust manager rejected the certificate, a {@code CertificateException} in the
         * cause chain (TLS_VERIFICATION): {@code VerifyingTrustManager} (tlsVerify ca/host, MTA-STS enforce) or
         * {@code DaneTrustManager} (DANE).
         */
        CERTIFICATE_REJECTED,
        /**
         * The session went on but verification failed and was only recorded (MTA-STS testing: tlsVerify
         * {@code optional}); the evidence is {@code TlsSessionInfo.verification()}, {@code "failed: <message>"}.
         */
        CERTIFICATE_OBSERVED,
        /** {@code DomainPublishedPolicy}: MTA-STS enforce (or testing, recorded) and the MX matches no mx pattern (PUBLISHED_POLICY). */
        MX_NOT_IN_STS_POLICY,
        /** {@code DomainPublishedPolicy}: DANE and the MX host is not in the DNSSEC-validated MX RRset (PUBLISHED_POLICY). */
        MX_NOT_IN_SECURE_MX_SET,
        /** {@code DomainPublishedPolicy}: DNSSEC bogus or failed for the MX RRset or the MX host's TLSA RRset (PUBLISHED_POLICY). */
        DNSSEC_FAILED,
        /** {@code DaneStatus} SECURE_NO_USABLE: a signed TLSA RRset without one usable record; delivery goes on with mandatory TLS. */
        TLSA_NONE_USABLE,
        /** {@code MtaStsPolicySource}: a policy is announced but none could be had ({@link MtaStsLookup.State#FETCH_FAILED}). */
        STS_POLICY_UNAVAILABLE
    }

    private final Stage stage;
    private final Optional<Throwable> cause;
    private final Optional<String> text;
    private final Optional<MtaStsLookup.FetchProblem> fetchProblem;

    private TlsProblem(Stage stage, Optional<Throwable> cause, Optional<String> text,
                       Optional<MtaStsLookup.FetchProblem> fetchProblem) {
        this.stage = Objects.requireNonNull(stage);
        this.cause = cause;
        this.text = text;
        this.fetchProblem = fetchProblem;
    }

    public static TlsProblem starttlsNotOffered() {
        return new TlsProblem(Stage.STARTTLS_NOT_OFFERED, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** @param reply the server's answer to STARTTLS, e.g. {@code "454 4.7.0 TLS not available"} */
    public static TlsProblem starttlsRefused(String reply) {
        return new TlsProblem(Stage.STARTTLS_REFUSED, Optional.empty(), Optional.of(reply), Optional.empty());
    }

    /**
     * The exception the handshake threw ({@code SmtpConnection.startTls}); a certificate exception anywhere in its
     * cause chain makes it {@link Stage#CERTIFICATE_REJECTED}, as {@code SessionOpener} decides too.
     */
    public static TlsProblem handshake(Throwable failure) {
        Stage stage = ResultTypeClassifier.certificateException(failure).isPresent()
            ? Stage.CERTIFICATE_REJECTED : Stage.HANDSHAKE_FAILED;
        return new TlsProblem(stage, Optional.of(failure), Optional.empty(), Optional.empty());
    }

    /** @param verification what the observing trust manager recorded, {@code "failed: ..."} */
    public static TlsProblem certificateObserved(String verification) {
        return new TlsProblem(Stage.CERTIFICATE_OBSERVED, Optional.empty(), Optional.of(verification), Optional.empty());
    }

    public static TlsProblem mxNotInStsPolicy(String mxHost) {
        return new TlsProblem(Stage.MX_NOT_IN_STS_POLICY, Optional.empty(), Optional.of(mxHost), Optional.empty());
    }

    public static TlsProblem mxNotInSecureMxSet(String mxHost) {
        return new TlsProblem(Stage.MX_NOT_IN_SECURE_MX_SET, Optional.empty(), Optional.of(mxHost), Optional.empty());
    }

    /** @param description e.g. {@code SecureMx.describe()} or {@code DaneStatus.describe()} */
    public static TlsProblem dnssecFailed(String description) {
        return new TlsProblem(Stage.DNSSEC_FAILED, Optional.empty(), Optional.of(description), Optional.empty());
    }

    public static TlsProblem tlsaNoneUsable(String description) {
        return new TlsProblem(Stage.TLSA_NONE_USABLE, Optional.empty(), Optional.of(description), Optional.empty());
    }

    /** @param lookup a lookup in state FETCH_FAILED */
    public static TlsProblem stsPolicyUnavailable(MtaStsLookup lookup) {
        if (lookup.state() != MtaStsLookup.State.FETCH_FAILED) {
            throw new IllegalArgumentException("not a failed MTA-STS lookup: " + lookup);
        }
        return new TlsProblem(Stage.STS_POLICY_UNAVAILABLE, Optional.empty(), lookup.note(), lookup.fetchProblem());
    }

    public Stage stage() {
        return stage;
    }

    public Optional<Throwable> cause() {
        return cause;
    }

    /** The reply, host, recorded verification or note that came with the problem. */
    public Optional<String> text() {
        return text;
    }

    public Optional<MtaStsLookup.FetchProblem> fetchProblem() {
        return fetchProblem;
    }

    @Override
    public String toString() {
        return stage + cause.map(c -> " " + c).orElse("") + text.map(t -> " " + t).orElse("");
    }
}
