/**
 * SMTP TLS reporting (RFC 8460), self-contained (delivery feeds it through {@code delivery.TlsRptRecorder}, the
 * mailet starts it through {@code mailet.TlsRptSetup}): the policies and result types
 * ({@link org.jamestls.tlsrpt.ReportedPolicy}, {@link org.jamestls.tlsrpt.ResultType}), the classification of what
 * delivery produces ({@link org.jamestls.tlsrpt.TlsProblem} -> {@link org.jamestls.tlsrpt.ResultTypeClassifier}),
 * the recording store ({@link org.jamestls.tlsrpt.TlsRptStore}), discovery of {@code _smtp._tls} records
 * ({@link org.jamestls.tlsrpt.TlsRptDiscovery}), the report (JSON, mail, https POST) and the daily sender
 * ({@link org.jamestls.tlsrpt.TlsRptSender}), assembled by {@link org.jamestls.tlsrpt.TlsRptService}.
 *
 * <p>For delivery code, per attempt to a domain whose scope has {@code tlsRpt on} (report mail excluded, see
 * {@link org.jamestls.tlsrpt.ReportMessage#isReport}; attempts under {@code tls=no} are not TLS sessions and are
 * not recorded): choose the {@link org.jamestls.tlsrpt.ReportedPolicy} the MX was judged against (DANE: {@code
 * tlsa(mxHost, status.records())}; MTA-STS: {@code sts(domain, lookup.policy())}, or {@code stsUnavailable(domain)}
 * when the lookup is FETCH_FAILED; else {@code noPolicyFound(domain)}), then call {@code store.success(policy)} once
 * TLS is up as the policy demands, or {@code store.failure(policy, FailureDetail.of(problem, policy, sendingIp,
 * mxHost, receivingIp))} with the {@link org.jamestls.tlsrpt.TlsProblem} of the failure point (also for an
 * {@code ifavailable} session that went plaintext because the MX offered no STARTTLS: {@code starttlsNotOffered()}). The sending IP is
 * the binding's {@code bindAddress} or else the connected socket's local address.
 */
package org.jamestls.tlsrpt;
