package org.jamestls.delivery.plan;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jamestls.brokentls.BrokenTlsEntry;
import org.jamestls.brokentls.BrokenTlsKey;
import org.jamestls.brokentls.BrokenTlsMemory;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;

/**
 * What one MX plan does with the memory of broken TLS ({@code tlsRememberBroken}), decided by the planner and only
 * for an operator's {@code ifavailable} that nothing raised: either the plan is plaintext because of a remembered
 * entry (each delivery it carries is counted as a use), or it offers STARTTLS and a failed handshake is remembered
 * for the scope's period. The delivery loop reports each connection's result to {@link #afterAttempt} and decides
 * nothing. Immutable.
 */
public final class BrokenTlsHandling {
    private final BrokenTlsMemory memory;
    private final BrokenTlsKey key;
    private final String mxHost;
    private final Duration period;
    private final Optional<BrokenTlsEntry> used;
    private final Clock clock;

    private BrokenTlsHandling(BrokenTlsMemory memory, BrokenTlsKey key, String mxHost, Duration period,
                              Optional<BrokenTlsEntry> used, Clock clock) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.key = Objects.requireNonNull(key, "key");
        this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
        this.period = Objects.requireNonNull(period, "period");
        this.used = Objects.requireNonNull(used, "used");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** STARTTLS is offered; a failed handshake at {@code key} is remembered for {@code period}. */
    static BrokenTlsHandling remembering(BrokenTlsMemory memory, BrokenTlsKey key, String mxHost, Duration period,
                                         Clock clock) {
        return new BrokenTlsHandling(memory, key, mxHost, period, Optional.empty(), clock);
    }

    /** The plan goes in plaintext because of {@code entry}. */
    static BrokenTlsHandling using(BrokenTlsMemory memory, BrokenTlsEntry entry, Duration period, Clock clock) {
        return new BrokenTlsHandling(memory, entry.key(), entry.mxHost(), period, Optional.of(entry), clock);
    }

    /** The remembered entry that made this plan plaintext; empty when the plan offers STARTTLS. */
    public Optional<BrokenTlsEntry> used() {
        return used;
    }

    public BrokenTlsKey key() {
        return key;
    }

    /**
     * One connection of this plan ended in {@code result}: a mail carried in plaintext because of the entry counts
     * as a use; a failed STARTTLS or handshake (not a certificate the operator's tlsVerify rejects) is remembered.
     */
    public void afterAttempt(HostAttemptResult result) {
        if (used.isPresent()) {
            if (result.isTransacted()) {
                memory.recordUse(used.get());
            }
            return;
        }
        result.connectionFailure()
            .filter(failure -> failure.kind() == FailureKind.TLS_NEGOTIATION)
            .ifPresent(failure -> memory.remember(key, mxHost, failure.toString(), clock.instant(), period));
    }

    @Override
    public String toString() {
        return used.map(entry -> "plaintext: " + entry).orElse("remembering a failed handshake at " + key + " for " + period);
    }
}
