package org.jamestls.tlsrpt;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.mtasts.MtaStsLookup;

/**
 * Turns a {@link TlsProblem} into the RFC 8460 §4.3 result type and a short failure-reason-code. The table, by
 * producer (and the delivery {@code FailureKind} it comes with):
 * <table>
 * <caption>result types</caption>
 * <tr><th>stage (producer, FailureKind)</th><th>result type</th><th>failure-reason-code</th></tr>
 * <tr><td>STARTTLS_NOT_OFFERED (SessionOpener, STARTTLS_NOT_OFFERED)</td><td>starttls-not-supported</td><td>-</td></tr>
 * <tr><td>STARTTLS_REFUSED (SessionOpener, TLS_NEGOTIATION)</td><td>starttls-not-supported</td><td>the reply</td></tr>
 * <tr><td>HANDSHAKE_FAILED (SessionOpener, TLS_NEGOTIATION)</td><td>validation-failure</td><td>the JSSE message</td></tr>
 * <tr><td>CERTIFICATE_REJECTED (SessionOpener, TLS_VERIFICATION), policy tlsa (DaneTrustManager)</td>
 *     <td>tlsa-invalid (also a DANE-TA chain whose leaf names another host)</td><td>why no record matched</td></tr>
 * <tr><td>CERTIFICATE_REJECTED, other policies (VerifyingTrustManager, MTA-STS enforce): expired
 *     ({@link CertificateExpiredException} or a path validator reason EXPIRED)</td><td>certificate-expired</td><td>message</td></tr>
 * <tr><td>... not yet valid</td><td>validation-failure</td><td>{@code certificate-not-yet-valid: ...}</td></tr>
 * <tr><td>... the JSSE's host name check ({@code No subject alternative ... matching}, {@code No name matching})</td>
 *     <td>certificate-host-mismatch</td><td>message</td></tr>
 * <tr><td>... any other certificate exception (unknown CA, self-signed, broken chain)</td><td>certificate-not-trusted</td><td>message</td></tr>
 * <tr><td>CERTIFICATE_OBSERVED (MTA-STS testing, delivered)</td><td>as CERTIFICATE_REJECTED, from the recorded text
 *     ({@code validity check failed} counts as expired)</td><td>the text</td></tr>
 * <tr><td>MX_NOT_IN_STS_POLICY (DomainPublishedPolicy, PUBLISHED_POLICY)</td><td>validation-failure</td><td>{@code mx-not-in-sts-policy: <mx>}</td></tr>
 * <tr><td>MX_NOT_IN_SECURE_MX_SET (DomainPublishedPolicy, PUBLISHED_POLICY)</td><td>validation-failure</td><td>{@code mx-not-in-dnssec-mx-rrset: <mx>}</td></tr>
 * <tr><td>DNSSEC_FAILED (DomainPublishedPolicy, PUBLISHED_POLICY)</td><td>dnssec-invalid</td><td>the DNSSEC status</td></tr>
 * <tr><td>TLSA_NONE_USABLE (DaneStatus SECURE_NO_USABLE, delivered)</td><td>tlsa-invalid</td><td>{@code no-usable-tlsa-record}</td></tr>
 * <tr><td>STS_POLICY_UNAVAILABLE (MtaStsPolicySource FETCH_FAILED, delivered as the operator's policy says), by
 *     {@link MtaStsLookup.FetchProblem}</td><td>sts-policy-fetch-error / sts-webpki-invalid / sts-policy-invalid</td><td>the note</td></tr>
 * </table>
 * Not produced: {@code dane-required} (there is no "DANE mandatory" setting). The delivery FailureKinds DNS,
 * CONNECTION, GREETING_REJECTED, PROTOCOL, SENDER_REJECTED, RECIPIENT_REJECTED, MESSAGE_REJECTED and INTERNAL are
 * not TLS problems and are not reported (RFC 8460 §4.3.4).
 */
public final class ResultTypeClassifier {
    /** "a short text field" (RFC 8460 §4.3.3); long JSSE and DANE messages are cut. */
    static final int MAX_REASON_LENGTH = 200;

    private ResultTypeClassifier() {
    }

    /** A result type with its failure-reason-code. */
    public static final class Classification {
        private final ResultType resultType;
        private final Optional<String> reasonCode;

        Classification(ResultType resultType, Optional<String> reasonCode) {
            this.resultType = Objects.requireNonNull(resultType);
            this.reasonCode = reasonCode.map(ResultTypeClassifier::shorten).filter(code -> !code.isEmpty());
        }

        public ResultType resultType() {
            return resultType;
        }

        public Optional<String> reasonCode() {
            return reasonCode;
        }

        @Override
        public String toString() {
            return resultType.label() + reasonCode.map(code -> " (" + code + ")").orElse("");
        }
    }

    /** @param policyType the policy the session was judged against (DANE trust managers answer for TLSA) */
    public static Classification classify(TlsProblem problem, PolicyType policyType) {
        switch (problem.stage()) {
            case STARTTLS_NOT_OFFERED:
                return of(ResultType.STARTTLS_NOT_SUPPORTED, Optional.empty());
            case STARTTLS_REFUSED:
                return of(ResultType.STARTTLS_NOT_SUPPORTED, problem.text().map(reply -> "STARTTLS answered " + reply));
            case HANDSHAKE_FAILED:
                return of(ResultType.VALIDATION_FAILURE, problem.cause().map(ResultTypeClassifier::describe));
            case CERTIFICATE_REJECTED:
                return certificate(problem.cause().orElseThrow(), policyType);
            case CERTIFICATE_OBSERVED:
                return observed(problem.text().orElse(""), policyType);
            case MX_NOT_IN_STS_POLICY:
                return of(ResultType.VALIDATION_FAILURE, problem.text().map(mx -> "mx-not-in-sts-policy: " + mx));
            case MX_NOT_IN_SECURE_MX_SET:
                return of(ResultType.VALIDATION_FAILURE, problem.text().map(mx -> "mx-not-in-dnssec-mx-rrset: " + mx));
            case DNSSEC_FAILED:
                return of(ResultType.DNSSEC_INVALID, problem.text());
            case TLSA_NONE_USABLE:
                return of(ResultType.TLSA_INVALID, Optional.of("no-usable-tlsa-record"));
            case STS_POLICY_UNAVAILABLE:
                return of(stsResult(problem.fetchProblem().orElse(MtaStsLookup.FetchProblem.FETCH_ERROR)), problem.text());
            default:
                throw new IllegalStateException("unclassified stage " + problem.stage());
        }
    }

    private static ResultType stsResult(MtaStsLookup.FetchProblem fetchProblem) {
        switch (fetchProblem) {
            case WEBPKI_INVALID:
                return ResultType.STS_WEBPKI_INVALID;
            case POLICY_INVALID:
                return ResultType.STS_POLICY_INVALID;
            default:
                return ResultType.STS_POLICY_FETCH_ERROR;
        }
    }

    private static Classification certificate(Throwable failure, PolicyType policyType) {
        CertificateException rejected = certificateException(failure).orElseThrow(() ->
            new IllegalArgumentException("no certificate exception in " + failure));
        String message = describe(rejected);
        if (policyType == PolicyType.TLSA) {
            return of(ResultType.TLSA_INVALID, Optional.of(message));
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException || reasonIs(cause, CertPathValidatorException.BasicReason.EXPIRED)) {
                return of(ResultType.CERTIFICATE_EXPIRED, Optional.of(message));
            }
            if (cause instanceof CertificateNotYetValidException
                || reasonIs(cause, CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return of(ResultType.VALIDATION_FAILURE, Optional.of("certificate-not-yet-valid: " + message));
            }
            if (cause instanceof CertificateException && isHostMismatch(cause.getMessage())) {
                return of(ResultType.CERTIFICATE_HOST_MISMATCH, Optional.of(message));
            }
        }
        return of(ResultType.CERTIFICATE_NOT_TRUSTED, Optional.of(message));
    }

    /** Only the text survives an observed failure: VerifyingTrustManager records {@code "failed: " + message}. */
    private static Classification observed(String verification, PolicyType policyType) {
        String message = verification.startsWith("failed: ") ? verification.substring("failed: ".length()) : verification;
        if (policyType == PolicyType.TLSA) {
            return of(ResultType.TLSA_INVALID, Optional.of(message));
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (isHostMismatch(message)) {
            return of(ResultType.CERTIFICATE_HOST_MISMATCH, Optional.of(message));
        }
        if (lower.contains("notafter") || lower.contains("validity check failed") || lower.contains("expired")) {
            return of(ResultType.CERTIFICATE_EXPIRED, Optional.of(message));
        }
        return of(ResultType.CERTIFICATE_NOT_TRUSTED, Optional.of(message));
    }

    /** sun.security.util.HostnameChecker's messages, the JSSE's only signal for a name mismatch. */
    private static boolean isHostMismatch(String message) {
        return message != null && (message.startsWith("No subject alternative") || message.startsWith("No name matching"));
    }

    private static boolean reasonIs(Throwable cause, CertPathValidatorException.Reason reason) {
        return cause instanceof CertPathValidatorException && ((CertPathValidatorException) cause).getReason() == reason;
    }

    /** The outermost certificate exception in a cause chain, as SessionOpener finds it. */
    static Optional<CertificateException> certificateException(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return Optional.of((CertificateException) cause);
            }
        }
        return Optional.empty();
    }

    private static Classification of(ResultType type, Optional<String> reason) {
        return new Classification(type, reason);
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Printable ASCII on one line, at most {@link #MAX_REASON_LENGTH} characters. */
    static String shorten(String text) {
        String oneLine = text.replaceAll("[^\\x20-\\x7E]+", " ").replaceAll(" {2,}", " ").trim();
        return oneLine.length() <= MAX_REASON_LENGTH ? oneLine : oneLine.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }
}
