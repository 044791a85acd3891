package org.jamestls.delivery;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.delivery.plan.ConnectionPlan;
import org.jamestls.delivery.plan.DeliveryRequest;
import org.jamestls.delivery.plan.StartTlsMode;
import org.jamestls.delivery.plan.TlsReportTerms;
import org.jamestls.policy.Binding;
import org.jamestls.tlsrpt.FailureDetail;
import org.jamestls.tlsrpt.PolicyType;
import org.jamestls.tlsrpt.ReportMessage;
import org.jamestls.tlsrpt.ReportedPolicy;
import org.jamestls.tlsrpt.TlsProblem;
import org.jamestls.tlsrpt.TlsRptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts delivery attempts in the TLS report store (RFC 8460): for a domain whose scope has {@code tlsRpt on}, each
 * attempt that reached a TLS verdict is one success or one failure, under the policy the planner judged the MX by
 * ({@link TlsReportTerms}). Report mail itself ({@link ReportMessage#isReport}) is never counted (RFC 8460 section 3).
 *
 * <p>What one attempt records, first match wins:
 * <ol>
 * <li>the plan refused the MX (not in the MTA-STS policy or the validated MX RRset, DNSSEC failed for its TLSA) or
 *     the whole domain (DNSSEC failed for the MX RRset): a failure with the refusal's problem;</li>
 * <li>a connection without STARTTLS (tls=no, the plaintext fallback): nothing, it is no TLS session;</li>
 * <li>the connection failed in TLS (STARTTLS missing or refused, handshake, certificate): a failure with that problem;</li>
 * <li>it failed before TLS for another reason (refused, greeting, 4.4.5): nothing (RFC 8460 section 4.3.4);</li>
 * <li>the policy has a problem of its own (MTA-STS announced but not fetched, MX outside a testing policy, no usable
 *     TLSA record): a failure with it, also when the mail was delivered;</li>
 * <li>the session went on in plaintext because the MX offered no STARTTLS (ifavailable): a failure,
 *     {@code starttls-not-supported};</li>
 * <li>TLS was up: under an MTA-STS policy whose certificate check only observed (testing) a failed check, a failure
 *     with what was observed; else a success.</li>
 * </ol>
 * The sending address is the binding's {@code bindAddress}, else the connection's local address; the receiving
 * address is the one dialled, and is left out for refusals (no connection was made).
 */
public final class TlsRptRecorder {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRptRecorder.class);

    /** TLS reporting is off in every scope: nothing is recorded. */
    public static final TlsRptRecorder OFF = new TlsRptRecorder(Optional.empty());

    private final Optional<TlsRptStore> store;

    private TlsRptRecorder(Optional<TlsRptStore> store) {
        this.store = store;
    }

    public static TlsRptRecorder into(TlsRptStore store) {
        return new TlsRptRecorder(Optional.of(store));
    }

    /** What one delivery run records: nothing unless its domain's scope has tlsRpt on and the mail is no report. */
    public Recording forDelivery(Mail mail, DeliveryRequest request) {
        if (store.isEmpty() || !request.options().policy().tlsRpt().value().isOn() || isReport(mail)) {
            return Recording.NONE;
        }
        return new Recording(store, request.binding().flatMap(Binding::bindAddress));
    }

    private static boolean isReport(Mail mail) {
        try {
            return ReportMessage.isReport(mail.getMessage());
        } catch (MessagingException | RuntimeException e) {
            LOGGER.debug("Cannot read the headers of mail {}: counted as no TLS report: {}", mail.getName(), e.toString());
            return false;
        }
    }

    /** The recording of one delivery run, called by {@link DomainDeliverer} once per attempt, refusal or domain failure. */
    public static final class Recording {
        /** Records nothing. */
        public static final Recording NONE = new Recording(Optional.empty(), Optional.empty());

        private final Optional<TlsRptStore> store;
        private final Optional<InetAddress> bindAddress;

        private Recording(Optional<TlsRptStore> store, Optional<InetAddress> bindAddress) {
            this.store = store;
            this.bindAddress = bindAddress;
        }

        /** No MX was tried: {@code failure} of the whole domain. */
        public void domainFailed(TlsReportTerms terms, DeliveryFailure failure) {
            failure.tlsProblem().ifPresent(problem -> fail(terms, problem, bindAddress, Optional.empty(), Optional.empty()));
        }

        /** The plan refused {@code target}. */
        public void refused(MxTarget target, TlsReportTerms terms, DeliveryFailure refusal) {
            refusal.tlsProblem().ifPresent(problem ->
                fail(terms, problem, bindAddress, Optional.of(target.mxHost()), Optional.empty()));
        }

        /** One connection to {@code target} as {@code connection} planned it ended in {@code result}. */
        public void attempted(MxTarget target, TlsReportTerms terms, ConnectionPlan connection, HostAttemptResult result) {
            if (store.isEmpty() || terms.policy().isEmpty() || connection.startTlsMode() == StartTlsMode.NEVER) {
                return;
            }
            Optional<InetAddress> sendingIp = connection.bindAddress().or(result::localAddress);
            Optional<String> mxHost = Optional.of(target.mxHost());
            Optional<InetAddress> receivingIp = Optional.of(target.socketAddress().getAddress());
            Optional<TlsProblem> sessionProblem = result.connectionFailure().flatMap(DeliveryFailure::tlsProblem);
            boolean tlsUp = result.tls().isPresent();
            boolean plaintext = result.isTransacted() && !tlsUp;
            if (sessionProblem.isEmpty() && !tlsUp && !plaintext) {
                return; // failed before any TLS verdict: not a TLS matter
            }
            Optional<TlsProblem> problem = sessionProblem
                .or(terms::policyProblem)
                .or(() -> plaintext ? Optional.of(TlsProblem.starttlsNotOffered()) : Optional.empty())
                .or(() -> observedCertificateFailure(terms.policy().get(), result));
            if (problem.isPresent()) {
                fail(terms, problem.get(), sendingIp, mxHost, receivingIp);
            } else {
                store.get().success(terms.policy().get());
            }
        }

        /** MTA-STS testing checks the certificate without failing the session; a failed check is still reported. */
        private static Optional<TlsProblem> observedCertificateFailure(ReportedPolicy policy, HostAttemptResult result) {
            return result.tls()
                .map(tls -> tls.verification())
                .filter(verification -> policy.type() == PolicyType.STS && verification.startsWith("failed"))
                .map(TlsProblem::certificateObserved);
        }

        private void fail(TlsReportTerms terms, TlsProblem problem, Optional<InetAddress> sendingIp, Optional<String> mxHost,
                          Optional<InetAddress> receivingIp) {
            if (store.isEmpty() || terms.policy().isEmpty()) {
                return;
            }
            ReportedPolicy policy = terms.policy().get();
            store.get().failure(policy, FailureDetail.of(Objects.requireNonNull(problem), policy, sendingIp, mxHost,
                receivingIp));
        }
    }
}
