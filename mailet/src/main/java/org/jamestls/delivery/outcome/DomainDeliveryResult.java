package org.jamestls.delivery.outcome;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * Where every recipient of one domain stands after one delivery run, and which MX attempts failed. Recipients keep
 * the order they were given in (the re-queued mail's recipients, the DSNs' grouping and the metrics' labels follow
 * it). Each result has a {@link #runId()} of its own, so settling it twice can be recognised.
 */
public final class DomainDeliveryResult {
    private final String runId = UUID.randomUUID().toString();
    private final List<MailAddress> delivered;
    private final Map<MailAddress, DeliveryFailure> permanentFailures;
    private final Map<MailAddress, DeliveryFailure> temporaryFailures;
    private final List<DeliveryFailure> failedAttempts;
    private final Optional<TlsSessionInfo> tls;
    private final Optional<MxTarget> lastTarget;
    private final MxSecurity security;

    private DomainDeliveryResult(List<MailAddress> delivered, Map<MailAddress, DeliveryFailure> permanentFailures,
                                 Map<MailAddress, DeliveryFailure> temporaryFailures, List<DeliveryFailure> failedAttempts,
                                 Optional<TlsSessionInfo> tls, Optional<MxTarget> lastTarget, MxSecurity security) {
        this.delivered = List.copyOf(delivered);
        // Map.copyOf would lose the order
        this.permanentFailures = Collections.unmodifiableMap(new LinkedHashMap<>(permanentFailures));
        this.temporaryFailures = Collections.unmodifiableMap(new LinkedHashMap<>(temporaryFailures));
        this.failedAttempts = List.copyOf(failedAttempts);
        this.tls = tls;
        this.lastTarget = lastTarget;
        this.security = security;
    }

    /**
     * Nothing was transacted: every recipient shares the failure (DNS, or all MX failed before MAIL FROM).
     * {@code security}: how the last MX tried (or the domain) was to be secured.
     */
    public static DomainDeliveryResult allFailed(Collection<MailAddress> recipients, DeliveryFailure failure,
                                                 List<DeliveryFailure> failedAttempts, MxSecurity security) {
        Map<MailAddress, DeliveryFailure> failures = recipients.stream()
            .collect(Collectors.toMap(r -> r, r -> failure, (a, b) -> a, LinkedHashMap::new));
        List<DeliveryFailure> attempts = failedAttempts.isEmpty() ? List.of(failure) : failedAttempts;
        return failure.isPermanent()
            ? new DomainDeliveryResult(List.of(), failures, Map.of(), attempts, Optional.empty(), Optional.empty(), security)
            : new DomainDeliveryResult(List.of(), Map.of(), failures, attempts, Optional.empty(), Optional.empty(), security);
    }

    /** The MX that took the transaction settled every recipient; {@code security}: how that MX was secured. */
    public static DomainDeliveryResult fromTransaction(HostAttemptResult transaction, List<DeliveryFailure> earlierFailures,
                                                       MxSecurity security) {
        List<MailAddress> delivered = new ArrayList<>();
        Map<MailAddress, DeliveryFailure> permanent = new LinkedHashMap<>();
        Map<MailAddress, DeliveryFailure> temporary = new LinkedHashMap<>();
        for (RecipientOutcome outcome : transaction.recipientOutcomes()) {
            switch (outcome.status()) {
                case DELIVERED:
                    delivered.add(outcome.recipient());
                    break;
                case PERMANENT_FAILURE:
                    permanent.put(outcome.recipient(), outcome.failure().orElseThrow());
                    break;
                default:
                    temporary.put(outcome.recipient(), outcome.failure().orElseThrow());
            }
        }
        return new DomainDeliveryResult(delivered, permanent, temporary, earlierFailures,
            transaction.tls(), Optional.of(transaction.target()), security);
    }

    /** Identifies this result: the settle step records it on the mail and does not settle the same result twice. */
    public String runId() {
        return runId;
    }

    public List<MailAddress> delivered() {
        return delivered;
    }

    public Map<MailAddress, DeliveryFailure> permanentFailures() {
        return permanentFailures;
    }

    public Map<MailAddress, DeliveryFailure> temporaryFailures() {
        return temporaryFailures;
    }

    /** Failed connections in the order tried: what the DSN says about each MX. */
    public List<DeliveryFailure> failedAttempts() {
        return failedAttempts;
    }

    public Optional<TlsSessionInfo> tls() {
        return tls;
    }

    public Optional<MxTarget> lastTarget() {
        return lastTarget;
    }

    /** Which mechanism secured (or refused) the last MX, and what the domain published. */
    public MxSecurity security() {
        return security;
    }
}
