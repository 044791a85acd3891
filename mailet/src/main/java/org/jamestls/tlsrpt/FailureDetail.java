package org.jamestls.tlsrpt;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.names.HostNames;

/**
 * One {@code failure-details} row of a report (RFC 8460 §4.4) without its count: result type, sending MTA IP,
 * receiving MX host name and IP, failure-reason-code. Immutable with value equality: sessions that failed alike
 * are counted in one row. {@code receiving-mx-helo} and {@code additional-information} are not reported (we keep
 * no URI with more information, and the greeting is not what the RFC asks for).
 */
public final class FailureDetail {
    private final ResultType resultType;
    private final Optional<String> sendingMtaIp;
    private final Optional<String> receivingMxHostname;
    private final Optional<String> receivingIp;
    private final Optional<String> failureReasonCode;

    private FailureDetail(ResultType resultType, Optional<String> sendingMtaIp, Optional<String> receivingMxHostname,
                          Optional<String> receivingIp, Optional<String> failureReasonCode) {
        this.resultType = Objects.requireNonNull(resultType);
        this.sendingMtaIp = sendingMtaIp;
        this.receivingMxHostname = receivingMxHostname;
        this.receivingIp = receivingIp;
        this.failureReasonCode = failureReasonCode;
    }

    /**
     * The row for {@code problem} under {@code policy}, classified by {@link ResultTypeClassifier}.
     *
     * @param sendingMtaIp the local address of the session (the binding's bindAddress, or the socket's), if any
     * @param mxHost the MX host tried; empty for failures before any MX (MTA-STS fetch, MX RRset DNSSEC)
     * @param receivingIp the address dialled, if the failure happened on a connection
     */
    public static FailureDetail of(TlsProblem problem, ReportedPolicy policy, Optional<InetAddress> sendingMtaIp,
                                   Optional<String> mxHost, Optional<InetAddress> receivingIp) {
        ResultTypeClassifier.Classification classification = ResultTypeClassifier.classify(problem, policy.type());
        return new FailureDetail(classification.resultType(), sendingMtaIp.map(IpText::format),
            mxHost.map(HostNames::aLabelOrNormalized), receivingIp.map(IpText::format), classification.reasonCode());
    }

    /** As stored. */
    static FailureDetail of(ResultType resultType, Optional<String> sendingMtaIp, Optional<String> receivingMxHostname,
                            Optional<String> receivingIp, Optional<String> failureReasonCode) {
        return new FailureDetail(resultType, sendingMtaIp, receivingMxHostname, receivingIp, failureReasonCode);
    }

    public ResultType resultType() {
        return resultType;
    }

    public Optional<String> sendingMtaIp() {
        return sendingMtaIp;
    }

    public Optional<String> receivingMxHostname() {
        return receivingMxHostname;
    }

    public Optional<String> receivingIp() {
        return receivingIp;
    }

    public Optional<String> failureReasonCode() {
        return failureReasonCode;
    }

    int size() {
        return sendingMtaIp.map(String::length).orElse(0) + receivingMxHostname.map(String::length).orElse(0)
            + receivingIp.map(String::length).orElse(0) + failureReasonCode.map(String::length).orElse(0);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FailureDetail)) {
            return false;
        }
        FailureDetail other = (FailureDetail) o;
        return resultType == other.resultType && sendingMtaIp.equals(other.sendingMtaIp)
            && receivingMxHostname.equals(other.receivingMxHostname) && receivingIp.equals(other.receivingIp)
            && failureReasonCode.equals(other.failureReasonCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(resultType, sendingMtaIp, receivingMxHostname, receivingIp, failureReasonCode);
    }

    @Override
    public String toString() {
        return resultType.label() + " from " + sendingMtaIp.orElse("?") + " to " + receivingMxHostname.orElse("?")
            + " [" + receivingIp.orElse("?") + "]" + failureReasonCode.map(code -> " (" + code + ")").orElse("");
    }
}
