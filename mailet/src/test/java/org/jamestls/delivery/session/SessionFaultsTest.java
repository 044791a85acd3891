package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamestls.delivery.session.TransactionFixtures.outcomes;
import static org.jamestls.delivery.session.TransactionFixtures.reusingPool;
import static org.jamestls.delivery.session.TransactionFixtures.send;

import java.util.List;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.Fault;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A pipelining receiver that breaks one transaction on cue (a scripted receiver: a real one cannot be made to close,
 * stall or garble at a chosen step). A reused session found closed before any reply to MAIL FROM (stale) is replaced
 * once by a new connection and costs no failure, and only then; a session broken mid-protocol is closed at once
 * without QUIT; a timeout or loss after the final dot is a transacted, deferred, ambiguous result (4.4.2, "delivery
 * uncertain"), the dot's reply waiting {@code dataTimeout}, every other reply {@code timeout}.
 *
 * <p>Mails are separated by {@code /}; outcomes per mail as {@link TransactionFixtures#outcomes}.
 */
class SessionFaultsTest {
    @ParameterizedTest(name = "{0} at MAIL FROM number {1}: {4} -> {5}")
    @CsvSource(delimiter = ';', value = {
        // the receiver closed the idle session: the next mail goes on a new connection, no failure
        "CLOSE_AFTER_DOT_REPLY;   1;   5000; 5000;  a/b;  D | D;    2; 0; 1; ",
        // stale, then the new connection also fails: retried once only, then an ordinary loss
        "CLOSE_BEFORE_MAIL_REPLY; 2,3; 5000; 5000;  a/b;  D | lost; 2; 0; 1; connection to mx.dest.test",
        // MAIL FROM was answered: not stale, an ordinary loss on the same connection
        "CLOSE_AFTER_MAIL_REPLY;  2;   5000; 5000;  a/b;  D | lost; 1; 0; 0; connection to mx.dest.test",
        // broken mid-protocol: closed at once, no QUIT
        "GARBAGE_REPLY_TO_MAIL;   1;   5000; 5000;  a;    lost;     1; 0; 0; Malformed SMTP reply",
        // the final dot unanswered: deferred as uncertain, the dot's own timeout, no QUIT
        "SILENT_AFTER_DOT;        1;   5000; 300;   a b;  TT;       1; 0; 0; no reply within dataTimeout 300 ms",
        "CLOSE_AFTER_DOT;         1;   5000; 5000;  a;    T;        1; 0; 0; delivery uncertain: connection lost",
        // a slow final dot within dataTimeout is delivered though it takes longer than timeout
        "SLOW_DOT_REPLY;          1;   1000; 20000; a;    D;        1; 0; 0; "
    })
    void aBrokenTransactionEndsAsItsStepSays(Fault fault, String messages, int timeout, int dataTimeout, String mails,
                                             String expectedOutcomes, int connections, int quits, int staleRetries,
                                             String detail) throws Exception {
        Integer[] numbers = java.util.Arrays.stream(messages.split(",")).map(Integer::valueOf).toArray(Integer[]::new);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()
                .withFault(fault, numbers).withDotReplyDelay(2 * timeout);
             SessionPool pool = reusingPool()) {
            String[] each = mails.split("/");
            List<HostAttemptResult> results = send(new HostDelivery(5000, timeout, dataTimeout, pool), server, each);

            assertThat(outcomes(results, each)).isEqualTo(expectedOutcomes);
            assertThat(server.connections()).isEqualTo(connections);
            assertThat(server.count("QUIT")).as("QUIT sent").isEqualTo(quits);
            assertThat(results.stream().filter(HostAttemptResult::replacedStaleSession).count())
                .as("attempts retried on a new session").isEqualTo(staleRetries);
            HostAttemptResult last = results.get(results.size() - 1);
            if (detail != null) {
                assertThat(failureOf(last).detail()).contains(detail);
            }
            if (expectedOutcomes.startsWith("T")) {
                assertThat(last.isAmbiguousAfterDot()).isTrue();
                assertThat(failureOf(last).kind()).isEqualTo(FailureKind.AMBIGUOUS_AFTER_DOT);
                assertThat(failureOf(last).enhancedStatus()).isEqualTo("4.4.2");
                assertThat(pool.openConnections()).as("the broken session is closed").isZero();
            }
        }
    }

    private static DeliveryFailure failureOf(HostAttemptResult result) {
        return result.connectionFailure().or(() -> result.recipientOutcomes().stream()
            .map(RecipientOutcome::failure).flatMap(java.util.Optional::stream).findFirst()).orElseThrow();
    }
}
