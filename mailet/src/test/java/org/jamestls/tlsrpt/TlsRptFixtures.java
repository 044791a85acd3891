package org.jamestls.tlsrpt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

import org.jamestls.dane.TlsaRecord;
import org.jamestls.mtasts.MtaStsParseException;
import org.jamestls.mtasts.MtaStsPolicy;

/** Policies and failures shared by the TLS report tests (the domains of RFC 8460's Appendix B). */
final class TlsRptFixtures {
    static final String STS_TEXT = "version: STSv1\nmode: testing\nmx: *.mail.company-y.example\nmax_age: 86400\n";
    static final ReportedPolicy STS = sts("company-y.example", STS_TEXT);
    static final ReportedPolicy TLSA = ReportedPolicy.tlsa("mx1.dane.example", List.of(
        TlsaRecord.parse("3 1 1 1F850A337E6DB9C609C522D136A475638CC43E1ED424F8EEC8513D747D1D085D")));
    static final ReportedPolicy NONE = ReportedPolicy.noPolicyFound("plain.example");

    static final FailureDetail EXPIRED = detail(TlsProblem.handshake(expiredCertificate()), STS, "198.51.100.1",
        "mx1.mail.company-y.example", "203.0.113.56");
    static final FailureDetail NO_STARTTLS = detail(TlsProblem.starttlsNotOffered(), STS, "2001:db8:abcd:0013::1",
        "mx2.mail.company-y.example", "203.0.113.57");

    private TlsRptFixtures() {
    }

    /** What the JSSE throws for an expired certificate (ResultTypeClassifierTest checks the real one). */
    static javax.net.ssl.SSLHandshakeException expiredCertificate() {
        javax.net.ssl.SSLHandshakeException e = new javax.net.ssl.SSLHandshakeException("PKIX path validation failed");
        e.initCause(new java.security.cert.CertificateExpiredException("NotAfter: Fri Apr 01 00:00:00 UTC 2016"));
        return e;
    }

    static ReportedPolicy sts(String domain, String text) {
        try {
            return ReportedPolicy.sts(domain, MtaStsPolicy.parse(text));
        } catch (MtaStsParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static FailureDetail detail(TlsProblem problem, ReportedPolicy policy, String sendingIp, String mx, String receivingIp) {
        return FailureDetail.of(problem, policy, Optional.of(ip(sendingIp)), Optional.of(mx), Optional.of(ip(receivingIp)));
    }

    /** A row with {@code reason} as the handshake's failure text (validation-failure), told apart by it. */
    static FailureDetail handshakeFailure(ReportedPolicy policy, String reason) {
        return FailureDetail.of(TlsProblem.handshake(new javax.net.ssl.SSLHandshakeException(reason)), policy,
            Optional.of(ip("192.0.2.1")), Optional.of("mx.example"), Optional.of(ip("192.0.2.2")));
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
