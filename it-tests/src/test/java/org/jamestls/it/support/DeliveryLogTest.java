package org.jamestls.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Unit test (surefire) of the log-line helper against lines written letter for letter as the README documents
 * them (the mailet's AttemptLogTest holds the same lines), as James's log prints them.
 */
class DeliveryLogTest {
    private static final String PREFIX = "10:15:02.123 [INFO ] o.j.d.DomainDeliverer - ";
    private static final String DELIVERED = PREFIX + "Delivery attempt: mail=Mail17-to-bank.example domain=bank.example "
        + "mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 tls=required decidedBy=[global domain bank.example] "
        + "outcome=delivered 1/1 over plaintext mechanism=policy effectiveTls=required "
        + "published=[policy: mta-sts none (no v=STSv1 TXT record); dane off]";
    private static final String FALLBACK = PREFIX + "Delivery attempt: mail=Mail17-to-bank.example domain=bank.example "
        + "mx=mx1.bank.example [203.0.113.5]:25 binding=tx1 tls=required decidedBy=[global domain bank.example] "
        + "(plaintext fallback) outcome=failed: TLS required but mx1.bank.example [203.0.113.5]:25 does not offer "
        + "STARTTLS (4.7.6) mechanism=policy effectiveTls=required published=[policy: mta-sts none (no v=STSv1 TXT record); dane off]";
    private static final String DNS = PREFIX + "Delivery attempt: mail=Mail17-to-bank.example domain=bank.example mx=none "
        + "binding=tx1 tls=required decidedBy=[global domain bank.example] outcome=failed: temporary DNS failure looking "
        + "up MX for bank.example (4.4.3)";
    private static final String DEFERRING = "10:15:02.124 [INFO ] o.j.d.s.QueueDecision - Deferring mail=Mail17-to-bank.example "
        + "domain=bank.example recipients=[bob@bank.example] retry=2/5 in 300s: TLS required but mx1.bank.example "
        + "[203.0.113.5]:25 does not offer STARTTLS (4.7.6)";

    @Test
    void attemptPatternsMatchFieldByField() {
        assertThat(matches(DeliveryLog.attempts("bank.example").regex(), DELIVERED, FALLBACK, DNS)).isTrue();
        assertThat(matches(DeliveryLog.attempts("bank.example").mx("mx1.bank.example").binding("tx1").tls("required")
            .decidedBy("global domain bank.example").outcome("delivered 1/1 over plaintext").regex(), DELIVERED)).isTrue();
        assertThat(matches(DeliveryLog.attempts("bank.example").plaintextFallback().outcomeContaining("(4.7.6)").regex(),
            FALLBACK)).isTrue();

        assertThat(matches(DeliveryLog.attempts("bank.example").plaintextFallback().regex(), DELIVERED)).isFalse();
        assertThat(matches(DeliveryLog.attempts("bank.example").mx("mx1.bank.example").regex(), DNS)).isFalse();
        assertThat(matches(DeliveryLog.attempts("example").regex(), DELIVERED)).isFalse();
        assertThat(matches(DeliveryLog.attempts("bank.example").mx("mx2.bank.example").regex(), DELIVERED)).isFalse();
        assertThat(matches(DeliveryLog.attempts("bank.example").decidedBy("global").regex(), DELIVERED)).isFalse();
        assertThat(matches(DeliveryLog.attempts("bank.example").outcome("failed").regex(), DELIVERED)).isFalse();
    }

    @Test
    void deferralPatternsMatchFieldByField() {
        assertThat(matches(DeliveryLog.deferrals("bank.example").regex(), DEFERRING)).isTrue();
        assertThat(matches(DeliveryLog.deferrals("bank.example").recipient("bob@").retry(2, 5).delaySeconds(300)
            .reasonContaining("does not offer STARTTLS").regex(), DEFERRING)).isTrue();

        assertThat(matches(DeliveryLog.deferrals("bank.example").retry(1).regex(), DEFERRING)).isFalse();
        assertThat(matches(DeliveryLog.deferrals("bank.example").recipient("alice@").regex(), DEFERRING)).isFalse();
        assertThat(matches(DeliveryLog.deferrals("bank.example").regex(), DELIVERED)).isFalse();
    }

    @Test
    void anAttemptLineParsesIntoItsFields() {
        DeliveryLog.Attempt delivered = DeliveryLog.parse(DELIVERED);
        DeliveryLog.Attempt fallback = DeliveryLog.parse(FALLBACK);
        DeliveryLog.Attempt dns = DeliveryLog.parse(DNS);

        assertThat(delivered.mail()).isEqualTo("Mail17-to-bank.example");
        assertThat(delivered.mx()).isEqualTo("mx1.bank.example [203.0.113.5]:25");
        assertThat(delivered.binding()).isEqualTo("tx1");
        assertThat(delivered.tls()).isEqualTo("required");
        assertThat(delivered.decidedBy()).isEqualTo("global domain bank.example");
        assertThat(delivered.outcome()).isEqualTo("delivered 1/1 over plaintext");
        assertThat(delivered.mechanism()).contains("policy");
        assertThat(delivered.published()).contains("policy: mta-sts none (no v=STSv1 TXT record); dane off");
        assertThat(fallback.plaintextFallback()).isTrue();
        assertThat(delivered.plaintextFallback()).isFalse();
        assertThat(dns.mx()).isEqualTo("none");
        assertThat(dns.outcome()).endsWith("(4.4.3)");
        assertThat(dns.mechanism()).isEmpty();
    }

    private static boolean matches(String regex, String... lines) {
        Pattern pattern = Pattern.compile(regex);
        for (String line : lines) {
            if (!pattern.matcher(line).find()) {
                return false;
            }
        }
        return true;
    }
}
