package org.jamestls.delivery.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsPolicyParser;
import org.junit.jupiter.api.Test;

/**
 * The log lines operators and scripts read, letter for letter as the README documents them: the spine's
 * fields first (mail, domain, mx, binding, tls, decidedBy, outcome), then what published policies add.
 */
class AttemptLogTest {
    private static final MxTarget MX = target("mx1.bank.example", "203.0.113.5");
    private static final DeliveryLabel LABEL = label("Mail17-to-bank.example", "bank.example", "tx1");
    private static final MxSecurity OPERATOR = new MxSecurity(TlsMechanism.POLICY, TlsLevel.REQUIRED,
        "policy: mta-sts none (no v=STSv1 TXT record); dane off");

    @Test
    void aConnectionAttempt() throws Exception {
        HostAttemptResult delivered = HostAttemptResult.transacted(MX, Optional.empty(),
            List.of(RecipientOutcome.delivered(new MailAddress("alice@bank.example"))));

        assertThat(AttemptLog.attempt(LABEL, MX, OPERATOR, false, delivered)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] outcome=delivered 1/1 over plaintext "
            + "mechanism=policy effectiveTls=required published=[policy: mta-sts none (no v=STSv1 TXT record); dane off]");
    }

    @Test
    void howTheMessageWentComesLast() throws Exception {
        HostAttemptResult delivered = HostAttemptResult.transacted(MX, Optional.empty(),
            List.of(RecipientOutcome.delivered(new MailAddress("alice@bank.example")))).by("BDAT")
            .from(Optional.of(InetAddress.getLoopbackAddress()));

        assertThat(AttemptLog.attempt(LABEL, MX, OPERATOR, false, delivered)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] outcome=delivered 1/1 over plaintext "
            + "mechanism=policy effectiveTls=required published=[policy: mta-sts none (no v=STSv1 TXT record); dane off]"
            + " transfer=BDAT");
    }

    @Test
    void aFailedAttemptAndItsPlaintextFallback() {
        HostAttemptResult failed = HostAttemptResult.notTransacted(MX, Optional.empty(), new DeliveryFailure(
            FailureKind.STARTTLS_NOT_OFFERED, "4.7.6", "TLS required but " + MX + " does not offer STARTTLS"));

        assertThat(AttemptLog.attempt(LABEL, MX, OPERATOR, true, failed)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] (plaintext fallback) outcome=failed: TLS required but "
            + "mx1.bank.example [203.0.113.5]:25 does not offer STARTTLS (4.7.6) mechanism=policy effectiveTls=required "
            + "published=[policy: mta-sts none (no v=STSv1 TXT record); dane off]");
    }

    @Test
    void anMxThePublishedPolicyRefuses() {
        DeliveryFailure refusal = new DeliveryFailure(FailureKind.PUBLISHED_POLICY, "4.7.5",
            "MTA-STS: " + MX + " is not an MX allowed by the policy of bank.example (mta-sts enforce id=1)");
        MxSecurity refused = new MxSecurity(TlsMechanism.MTA_STS, TlsLevel.REQUIRED, "mta-sts: " + refusal.detail());

        assertThat(AttemptLog.notTried(LABEL, MX, refused, refusal)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] outcome=not tried: MTA-STS: mx1.bank.example "
            + "[203.0.113.5]:25 is not an MX allowed by the policy of bank.example (mta-sts enforce id=1) (4.7.5) "
            + "mechanism=mta-sts effectiveTls=required");
    }

    @Test
    void anMxTheSendersRequireTlsRefusesAndOneARememberedBrokenHandshakeSendsInPlaintext() throws Exception {
        DeliveryFailure refusal = new DeliveryFailure(FailureKind.REQUIRETLS, "5.7.30", "REQUIRETLS: " + MX
            + " was not found securely: the MX of bank.example is not DNSSEC-validated and no MTA-STS policy lists it");
        MxSecurity refused = new MxSecurity(TlsMechanism.REQUIRETLS, TlsLevel.REQUIRED, "requiretls: " + refusal.detail());
        MxSecurity broken = new MxSecurity(TlsMechanism.BROKEN_TLS, TlsLevel.NO, "broken-tls: TLS handshake with "
            + "[203.0.113.5]:25 from default failed");
        HostAttemptResult delivered = HostAttemptResult.transacted(MX, Optional.empty(),
            List.of(RecipientOutcome.delivered(new MailAddress("alice@bank.example"))));

        assertThat(AttemptLog.notTried(LABEL, MX, refused, refusal)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] outcome=not tried: REQUIRETLS: mx1.bank.example "
            + "[203.0.113.5]:25 was not found securely: the MX of bank.example is not DNSSEC-validated and no MTA-STS "
            + "policy lists it (5.7.30) mechanism=requiretls effectiveTls=required");
        assertThat(AttemptLog.attempt(LABEL, MX, broken, false, delivered)).isEqualTo("Delivery attempt: "
            + "mail=Mail17-to-bank.example domain=bank.example mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 "
            + "tls=required decidedBy=[global domain bank.example] outcome=delivered 1/1 over plaintext "
            + "mechanism=broken-tls effectiveTls=no published=[broken-tls: TLS handshake with [203.0.113.5]:25 from "
            + "default failed]");
    }

    @Test
    void aFailureOfTheWholeDomain() {
        DeliveryFailure dns = new DeliveryFailure(FailureKind.DNS, "4.4.3", "temporary DNS failure looking up MX for bank.example");

        assertThat(AttemptLog.domainFailure(LABEL, dns)).isEqualTo("Delivery attempt: mail=Mail17-to-bank.example "
            + "domain=bank.example mx=none binding=tx1 tls=required decidedBy=[global domain bank.example] "
            + "outcome=failed: temporary DNS failure looking up MX for bank.example (4.4.3)");
    }

    @Test
    void aDeferral() throws Exception {
        assertThat(AttemptLog.deferring(LABEL, List.of(new MailAddress("bob@bank.example")), 2, 5, Duration.ofMinutes(5),
            "TLS required but mx1.bank.example [203.0.113.5]:25 does not offer STARTTLS (4.7.6)"))
            .isEqualTo("Deferring mail=Mail17-to-bank.example domain=bank.example recipients=[bob@bank.example] "
                + "retry=2/5 in 300s: TLS required but mx1.bank.example [203.0.113.5]:25 does not offer STARTTLS (4.7.6)");
    }

    private static DeliveryLabel label(String mailName, String domain, String binding) {
        try {
            ResolvedTlsPolicy policy = TlsPolicyParser.parse(new ByteArrayInputStream(("<tlsPolicy><domain name='" + domain
                + "'><tls>required</tls></domain></tlsPolicy>").getBytes(StandardCharsets.UTF_8)), "t.xml")
                .resolve(domain, Optional.empty());
            return new DeliveryLabel(mailName, domain, binding, policy.tls(), policy.tlsVerify());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MxTarget target(String host, String ip) {
        try {
            return new MxTarget(host, InetAddress.getByName(ip), 25);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
