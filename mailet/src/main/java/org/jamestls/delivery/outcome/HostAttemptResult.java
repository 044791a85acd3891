package org.jamestls.delivery.outcome;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * The result of one connection to one MX address: either it failed before any recipient was
 * settled (then the next MX may be tried), or it settled every recipient.
 */
public final class HostAttemptResult {
    private final MxTarget target;
    private final Optional<TlsSessionInfo> tls;
    private final Optional<DeliveryFailure> connectionFailure;
    private final List<RecipientOutcome> recipientOutcomes;
    private final Optional<InetAddress> localAddress;
    private final boolean replacedStaleSession;
    private final Optional<String> transfer;

    private HostAttemptResult(MxTarget target, Optional<TlsSessionInfo> tls,
                              Optional<DeliveryFailure> connectionFailure, List<RecipientOutcome> recipientOutcomes) {
        this(target, tls, connectionFailure, recipientOutcomes, Optional.empty(), false, Optional.empty());
    }

    private HostAttemptResult(MxTarget target, Optional<TlsSessionInfo> tls, Optional<DeliveryFailure> connectionFailure,
                              List<RecipientOutcome> recipientOutcomes, Optional<InetAddress> localAddress,
                              boolean replacedStaleSession, Optional<String> transfer) {
        this.target = target;
        this.tls = tls;
        this.connectionFailure = connectionFailure;
        this.recipientOutcomes = List.copyOf(recipientOutcomes);
        this.localAddress = localAddress;
        this.replacedStaleSession = replacedStaleSession;
        this.transfer = transfer;
    }

    public static HostAttemptResult notTransacted(MxTarget target, Optional<TlsSessionInfo> tls, DeliveryFailure failure) {
        return new HostAttemptResult(target, tls, Optional.of(failure), List.of());
    }

    public static HostAttemptResult transacted(MxTarget target, Optional<TlsSessionInfo> tls, List<RecipientOutcome> outcomes) {
        return new HostAttemptResult(target, tls, Optional.empty(), outcomes);
    }

    /** Every recipient gets the same failure, e.g. MAIL FROM or DATA was refused. */
    public static HostAttemptResult allFailed(MxTarget target, Optional<TlsSessionInfo> tls,
                                              Collection<MailAddress> recipients, DeliveryFailure failure) {
        return transacted(target, tls, recipients.stream()
            .map(recipient -> RecipientOutcome.failed(recipient, failure))
            .collect(Collectors.toList()));
    }

    public MxTarget target() {
        return target;
    }

    public Optional<TlsSessionInfo> tls() {
        return tls;
    }

    public Optional<DeliveryFailure> connectionFailure() {
        return connectionFailure;
    }

    public List<RecipientOutcome> recipientOutcomes() {
        return recipientOutcomes;
    }

    /** The same result, made from {@code local} (the connection's own address; empty when none was made). */
    public HostAttemptResult from(Optional<InetAddress> local) {
        return new HostAttemptResult(target, tls, connectionFailure, recipientOutcomes, local, replacedStaleSession,
            transfer);
    }

    /** The same result, reached on a new connection after the reused session had been closed by the receiver while idle. */
    public HostAttemptResult afterStaleSession() {
        return new HostAttemptResult(target, tls, connectionFailure, recipientOutcomes, localAddress, true, transfer);
    }

    /** Whether this attempt was retried on a new connection because its reused session turned out stale. */
    public boolean replacedStaleSession() {
        return replacedStaleSession;
    }

    /** The same result, its message sent (or meant to be) by {@code how}: {@code DATA} or {@code BDAT} (RFC 3030). */
    public HostAttemptResult by(String how) {
        return new HostAttemptResult(target, tls, connectionFailure, recipientOutcomes, localAddress, replacedStaleSession,
            Optional.of(how));
    }

    /** How the message was sent ({@code DATA}, {@code BDAT}); empty when the transaction ended before that was chosen. */
    public Optional<String> transfer() {
        return transfer;
    }

    /** The local address of the connection (a binding's bindAddress, or the one the system chose), if one was made. */
    public Optional<InetAddress> localAddress() {
        return localAddress;
    }

    public boolean isTransacted() {
        return connectionFailure.isEmpty();
    }

    /** Whether the final dot of this transaction went unanswered (timeout or loss): the receiver may have the mail. */
    public boolean isAmbiguousAfterDot() {
        return recipientOutcomes.stream().anyMatch(outcome -> outcome.failure()
            .filter(failure -> failure.kind() == FailureKind.AMBIGUOUS_AFTER_DOT).isPresent());
    }

    /** Short outcome text for the per-attempt log line. */
    public String describeOutcome() {
        if (connectionFailure.isPresent()) {
            return "failed: " + connectionFailure.get();
        }
        String channel = tls.map(info -> "TLS " + info).orElse("plaintext");
        long delivered = recipientOutcomes.stream().filter(o -> o.status() == RecipientOutcome.Status.DELIVERED).count();
        String summary = "delivered " + delivered + "/" + recipientOutcomes.size() + " over " + channel;
        String failures = recipientOutcomes.stream()
            .filter(o -> o.failure().isPresent())
            .map(o -> o.recipient().asString() + ": " + o.failure().get())
            .collect(Collectors.joining("; "));
        return failures.isEmpty() ? summary : summary + "; " + failures;
    }
}
