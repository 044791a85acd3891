package org.jamestls.delivery.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which failure stands for a domain none of whose MX took the mail. */
class DeliveryFailureTest {
    private static final DeliveryFailure REFUSED = new DeliveryFailure(FailureKind.CONNECTION, "4.4.1",
        "cannot connect to mx1.dest.test [192.0.2.1]:25");
    private static final DeliveryFailure STARTTLS_MISSING = new DeliveryFailure(FailureKind.STARTTLS_NOT_OFFERED, "4.7.6",
        "TLS required but mx2.dest.test [192.0.2.2]:25 does not offer STARTTLS");
    private static final DeliveryFailure NOT_SECURE = new DeliveryFailure(FailureKind.REQUIRETLS, "5.7.30",
        "REQUIRETLS: mx1.dest.test [192.0.2.1]:25 was not found securely");
    private static final DeliveryFailure NO_REQUIRETLS = new DeliveryFailure(FailureKind.REQUIRETLS_MISSING, "5.7.30",
        "REQUIRETLS: mx2.dest.test [192.0.2.2]:25 does not offer REQUIRETLS after STARTTLS");

    @Test
    void theLastTemporaryFailureWinsSoThatMxIsTriedAgainLater() {
        assertThat(DeliveryFailure.ofAllAttempts(List.of(REFUSED, STARTTLS_MISSING))).isSameAs(STARTTLS_MISSING);
        assertThat(DeliveryFailure.ofAllAttempts(List.of(NOT_SECURE, REFUSED))).isSameAs(REFUSED);
        assertThat(DeliveryFailure.ofAllAttempts(List.of(REFUSED, NO_REQUIRETLS))).isSameAs(REFUSED);
    }

    @Test
    void whenNoMxCanEverTakeTheMailTheirReasonsGoTogether() {
        DeliveryFailure both = DeliveryFailure.ofAllAttempts(List.of(NOT_SECURE, NO_REQUIRETLS));

        assertThat(both.isPermanent()).isTrue();
        assertThat(both.kind()).isEqualTo(FailureKind.REQUIRETLS_MISSING);
        assertThat(both).hasToString(NOT_SECURE.detail() + "; " + NO_REQUIRETLS.detail() + " (5.7.30)");
        assertThat(DeliveryFailure.ofAllAttempts(List.of(NOT_SECURE))).isSameAs(NOT_SECURE);
    }
}
