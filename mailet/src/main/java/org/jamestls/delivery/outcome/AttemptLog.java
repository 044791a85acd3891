package org.jamestls.delivery.outcome;

import java.time.Duration;
import java.util.Collection;

import org.apache.james.core.MailAddress;

/**
 * The one formatter of the delivery log lines operators and scripts read (the README documents them): one
 * {@code Delivery attempt:} line per connection attempt, refused MX or domain-wide failure, one
 * {@code Deferring mail=} line per deferral, and a {@code Holding mail=} line when a settled mail waits only to hand
 * over its copies. The fields of the first format come first and keep their order
 * (scripts match them); what published policies add follows the outcome, and how the message went ({@code transfer=})
 * comes last.
 */
public final class AttemptLog {
    private AttemptLog() {
    }

    /** A connection to {@code target} was made (or tried) and ended in {@code result}. */
    public static String attempt(DeliveryLabel label, MxTarget target, MxSecurity security, boolean plaintextFallback,
                                 HostAttemptResult result) {
        return prefix(label, target.toString()) + (plaintextFallback ? " (plaintext fallback)" : "")
            + " outcome=" + result.describeOutcome() + " mechanism=" + security.mechanism().label()
            + " effectiveTls=" + security.effectiveLevel().configName() + " published=[" + security.published() + "]"
            + result.transfer().map(how -> " transfer=" + how).orElse("");
    }

    /** {@code target} was not tried: the receiver's published policy (or unusable TLS settings) forbids it. */
    public static String notTried(DeliveryLabel label, MxTarget target, MxSecurity security, DeliveryFailure refusal) {
        return prefix(label, target.toString()) + " outcome=not tried: " + refusal + " mechanism="
            + security.mechanism().label() + " effectiveTls=" + security.effectiveLevel().configName();
    }

    /** No MX was tried at all: DNS failed, or the domain's DNSSEC-validated MX answer is unusable. */
    public static String domainFailure(DeliveryLabel label, DeliveryFailure failure) {
        return prefix(label, "none") + " outcome=failed: " + failure;
    }

    /** {@code pending} go back to the queue for retry number {@code retry} in {@code delay}. */
    public static String deferring(DeliveryLabel label, Collection<MailAddress> pending, int retry, int maxRetries,
                                   Duration delay, String reasons) {
        return "Deferring mail=" + label.mailName() + " domain=" + label.domain() + " recipients=" + pending
            + " retry=" + retry + "/" + maxRetries + " in " + delay.toSeconds() + "s: " + reasons;
    }

    /**
     * A mail whose recipients are all settled goes back to the queue only to hand over copies (onSuccess, bounces)
     * that could not be handed over yet.
     */
    public static String copiesOwed(String mailName, String copies, Duration delay) {
        return "Holding mail=" + mailName + " in " + delay.toSeconds() + "s: copies not handed over yet: " + copies;
    }

    private static String prefix(DeliveryLabel label, String mx) {
        return "Delivery attempt: mail=" + label.mailName() + " domain=" + label.domain() + " mx=" + mx
            + " binding=" + label.binding() + " tls=" + label.level() + " decidedBy=[" + label.tls().decidedBy() + "]";
    }
}
