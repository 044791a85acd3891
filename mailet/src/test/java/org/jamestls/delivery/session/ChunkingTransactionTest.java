package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamestls.delivery.session.TransactionFixtures.outcomes;
import static org.jamestls.delivery.session.TransactionFixtures.reusingPool;
import static org.jamestls.delivery.session.TransactionFixtures.send;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.HostAttemptResult;
import org.jamestls.delivery.outcome.RecipientOutcome;
import org.jamestls.smtp.MessageBytes;
import org.jamestls.smtp.SmtpConnection;
import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.Fault;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CHUNKING (RFC 3030) pipelined with the envelope, as the receiver hears it: to a receiver offering PIPELINING and
 * CHUNKING, MAIL FROM, every RCPT TO and {@code BDAT <n> LAST} with the n message bytes leave in one write, one round
 * trip per mail on a reused session. The scripted receiver holds every reply of the group until it has read the BDAT
 * bytes, so a client that waited for any reply before sending the message would hang (and these rows fail on a
 * timeout); it is needed because a real receiver cannot show which bytes arrived before which reply, nor misbehave on
 * cue after the bytes.
 *
 * <p>Local parts starting with {@code reject} get 550, {@code closing} 421 (the receiver then closes). In the
 * transcript {@code +} joins commands sent in one write, so each space before MAIL is one round trip; {@code .} is a
 * DATA message's end. Outcomes per mail as {@link TransactionFixtures#outcomes}.
 */
class ChunkingTransactionTest {
    private static final String SETUP = "EHLO STARTTLS EHLO ";

    @ParameterizedTest(name = "chunking={0} pipelining={1} CHUNKING={2} BDAT reply {3}: [{4}] then [{5}] -> {6}")
    @CsvSource(delimiter = ';', value = {
        // all accepted: one write, one round trip per mail, no RSET between
        "true;  true;  true;  250 2.0.0 queued;   a b;               c; DD | D;   MAIL+RCPT+RCPT+BDAT MAIL+RCPT+BDAT; 1",
        // mixed RCPT replies: the refused recipient alone fails
        "true;  true;  true;  250 2.0.0 queued;   a reject-b c;      d; DPD | D;  MAIL+RCPT+RCPT+RCPT+BDAT MAIL+RCPT+BDAT; 1",
        // none accepted: BDAT's 554 read, settled by the RCPT replies, RSET before the next mail on the same session
        "true;  true;  true;  250 2.0.0 queued;   reject-a reject-b; c; PP | D;   MAIL+RCPT+RCPT+BDAT RSET MAIL+RCPT+BDAT; 1",
        // BDAT refused with recipients accepted: its class for all of them (452 retried, 552 bounced), RSET after
        "true;  true;  true;  452 4.3.1 no space; a reject-b;        c; TP | T;   MAIL+RCPT+RCPT+BDAT RSET MAIL+RCPT+BDAT; 1",
        "true;  true;  true;  552 5.3.4 too big;  a b;               c; PP | P;   MAIL+RCPT+RCPT+BDAT RSET MAIL+RCPT+BDAT; 1",
        // a 421 in the middle of the group: every recipient deferred, the next mail on a new session
        "true;  true;  true;  250 2.0.0 queued;   a closing-b c;     d; TTT | D;  MAIL+RCPT+RCPT EHLO STARTTLS EHLO MAIL+RCPT+BDAT; 2",
        // the mailet parameter chunking=false: DATA, pipelined as before
        "false; true;  true;  250 2.0.0 queued;   a reject-b;        c; DP | D;   MAIL+RCPT+RCPT+DATA . MAIL+RCPT+DATA .; 1",
        // CHUNKING without PIPELINING: lock-step DATA (BDAT lock-step would still wait for each RCPT reply)
        "true;  false; true;  250 2.0.0 queued;   a reject-b;        c; DP | D;   MAIL RCPT RCPT DATA . MAIL RCPT DATA .; 1",
        // PIPELINING without CHUNKING: pipelined DATA
        "true;  true;  false; 250 2.0.0 queued;   a;                 c; D | D;    MAIL+RCPT+DATA . MAIL+RCPT+DATA .; 1"
    })
    void aReceiverOfferingPipeliningAndChunkingHearsOneWritePerMail(boolean chunking, boolean pipelining,
                                                                    boolean offersChunking, String bdatReply,
                                                                    String first, String second,
                                                                    String expectedOutcomes, String transcript,
                                                                    int connections) throws Exception {
        ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).answeringFinalDot(bdatReply)
            .rejectingRecipientsStartingWith("reject").answeringRecipientsStartingWith("closing", "421 4.3.2 closing");
        receiver = pipelining ? receiver.offeringPipelining() : receiver;
        try (ScriptedSmtpServer server = offersChunking ? receiver.offeringChunking() : receiver;
             SessionPool pool = reusingPool()) {
            List<HostAttemptResult> results = send(new HostDelivery(5000, 5000, 5000, chunking, pool), server, first,
                second);

            assertThat(outcomes(results, first, second)).isEqualTo(expectedOutcomes);
            assertThat(server.transcript()).isEqualTo(SETUP + transcript);
            assertThat(server.connections()).isEqualTo(connections);
            boolean bdat = transcript.endsWith("BDAT");
            assertThat(results).allSatisfy(result -> assertThat(result.transfer()).contains(bdat ? "BDAT" : "DATA"));
            if (bdatReply.startsWith("250")) {
                assertThat(server.messageContents()).as("what the receiver took")
                    .allSatisfy(content -> assertThat(content).contains("\r\n.dot\r\n").doesNotContain("\r\n..dot"));
            } else {
                assertThat(failureOf(results.get(0)).detail()).contains(bdat ? "rejected the message (BDAT): " : "");
                assertThat(failureOf(results.get(0)).enhancedStatus()).isEqualTo(bdatReply.substring(4, 9));
            }
        }
    }

    /**
     * What goes wrong after the bytes went with the group: the receiver may have the mail, so every recipient not
     * refused is deferred as uncertain (4.4.2), the replies waiting {@code dataTimeout}; a reused session closed
     * before any reply to MAIL FROM is still only stale (a new connection, no failure).
     */
    @ParameterizedTest(name = "{0} at MAIL FROM number {1}: {3} -> {4}")
    @CsvSource(delimiter = ';', value = {
        // no reply after the bytes: the dot's own timeout, session closed without QUIT
        "SILENT_AFTER_DOT;        1; 300;  a reject-b c; TPT;   1; no reply within dataTimeout 300 ms after the message (BDAT)",
        "CLOSE_AFTER_DOT;         1; 5000; a b;          TT;    1; delivery uncertain: connection lost",
        // MAIL FROM answered, then the connection ends: the bytes went, so uncertain too (DATA: an ordinary loss)
        "CLOSE_AFTER_MAIL_REPLY;  1; 5000; a b;          TT;    1; delivery uncertain: connection lost",
        // a reused session closed before any reply to MAIL FROM: stale, the mail goes again on a new connection
        "CLOSE_BEFORE_MAIL_REPLY; 2; 5000; a/b;          D | D; 2; ",
        // the receiver closed the idle session after its last reply: the same, seen at the next group
        "CLOSE_AFTER_DOT_REPLY;   1; 5000; a/b;          D | D; 2; "
    })
    void aLossAfterTheBytesIsTheAmbiguityAfterTheDot(Fault fault, int message, int dataTimeout, String mails,
                                                    String expectedOutcomes, int connections, String detail)
            throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()
                .offeringChunking().rejectingRecipientsStartingWith("reject").withFault(fault, message)
                .withDotReplyDelay(10_000);
             SessionPool pool = reusingPool()) {
            String[] each = mails.split("/");
            List<HostAttemptResult> results = send(new HostDelivery(5000, 5000, dataTimeout, true, pool), server, each);

            assertThat(outcomes(results, each)).isEqualTo(expectedOutcomes);
            assertThat(server.connections()).isEqualTo(connections);
            assertThat(server.count("QUIT")).as("QUIT sent").isZero();
            HostAttemptResult last = results.get(results.size() - 1);
            if (detail == null) {
                assertThat(server.messagesAccepted()).isEqualTo(each.length);
                return;
            }
            assertThat(last.isAmbiguousAfterDot()).isTrue();
            DeliveryFailure failure = last.recipientOutcomes().stream()
                .filter(o -> o.status() == RecipientOutcome.Status.TEMPORARY_FAILURE)
                .map(o -> o.failure().orElseThrow()).findFirst().orElseThrow();
            assertThat(failure.kind()).isEqualTo(FailureKind.AMBIGUOUS_AFTER_DOT);
            assertThat(failure.enhancedStatus()).isEqualTo("4.4.2");
            assertThat(failure.detail()).contains(detail);
            assertThat(pool.openConnections()).as("the broken session is closed").isZero();
        }
    }

    /**
     * The message as BDAT carries it is the message DATA carries, byte for byte, once DATA's dot-stuffing is undone:
     * CRLF line ends (also for bare LF in the stored message), lines starting with "." as they are, 8-bit bytes
     * declared with BODY=8BITMIME or converted to 7 bits as the receiver's EHLO allows. The same mail goes once by
     * BDAT and once by DATA (chunking=false) to receivers alike but for CHUNKING. (The 8-bit rows carry a Date: the
     * 7-bit copy would get one at the second it is made.)
     */
    @ParameterizedTest(name = "{0}, 8BITMIME offered={1}")
    @CsvSource(delimiter = '|', value = {
        "dots            | true  | Subject: dots\\r\\n\\r\\n.one\\r\\n..two\\r\\n.\\r\\nend\\r\\n |               | \\r\\n.one\\r\\n..two\\r\\n.\\r\\nend\\r\\n",
        "bare LF         | true  | Subject: lf\\n\\nline one\\nline two\\n.dot\\nno final line end   |               | \\r\\nline one\\r\\nline two\\r\\n.dot\\r\\nno final line end\\r\\n",
        "8-bit           | true  | Subject: x\\r\\nDate: Tue, 1 Dec 2026 10:00:00 +0000\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text/plain; charset=UTF-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\ncafé\\r\\n | BODY=8BITMIME | \\r\\ncafé\\r\\n",
        "8-bit converted | false | Subject: x\\r\\nDate: Tue, 1 Dec 2026 10:00:00 +0000\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text/plain; charset=UTF-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\ncafé\\r\\n |               | \\r\\ncaf=C3=A9\\r\\n"
    })
    void bdatCarriesTheBytesDataWouldCarry(String name, boolean offers8BitMime, String source, String bodyParameter,
                                          String expectedText) throws Exception {
        String sent = unescape(source);
        String bdat = received(true, offers8BitMime, sent, bodyParameter == null ? "" : bodyParameter.trim());
        String data = received(false, offers8BitMime, sent, bodyParameter == null ? "" : bodyParameter.trim());

        assertThat(bdat).isEqualTo(data);
        assertThat(bdat).contains(new String(unescape(expectedText).getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1));
        assertThat(bdat.replace("\r\n", "")).as("no bare LF or CR").doesNotContain("\n").doesNotContain("\r");
        assertThat(bdat).endsWith("\r\n");
        assertThat(bdat.chars().anyMatch(c -> c > 0x7F)).isEqualTo(offers8BitMime && name.startsWith("8-bit"));
    }

    /** One mail with {@code source} as its stored message, as the receiver took it; checks the dialogue on the way. */
    private static String received(boolean chunking, boolean offers8BitMime, String source, String bodyParameter)
            throws Exception {
        ScriptedSmtpServer receiver = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()
            .offeringChunking();
        try (ScriptedSmtpServer server = offers8BitMime ? receiver : receiver.without8BitMime();
             SessionPool pool = reusingPool()) {
            HostAttemptResult result = send(new HostDelivery(5000, 5000, 5000, chunking, pool), server, "a", "m",
                message(source));

            assertThat(outcomes(List.of(result), "a")).isEqualTo("D");
            assertThat(server.transcript()).isEqualTo(SETUP + (chunking ? "MAIL+RCPT+BDAT" : "MAIL+RCPT+DATA ."));
            String mailFrom = server.commands().stream().filter(c -> c.startsWith("MAIL FROM")).findFirst().orElseThrow();
            assertThat(mailFrom.endsWith(bodyParameter)).as(mailFrom).isTrue();
            assertThat(mailFrom.contains("BODY=")).as(mailFrom).isEqualTo(!bodyParameter.isEmpty());
            String content = server.messageContents().get(0);
            if (chunking) {
                String bdat = server.commands().stream().filter(c -> c.startsWith("BDAT")).findFirst().orElseThrow();
                assertThat(bdat).isEqualTo("BDAT " + content.length() + " LAST");
            }
            return content;
        }
    }

    /** Bigger than the bound: DATA, streamed, as before. At the bound: BDAT. */
    @ParameterizedTest(name = "a body of {0} bytes over the bound -> {1}")
    @CsvSource({"1, MAIL+RCPT+DATA .", "-200, MAIL+RCPT+BDAT"})
    void aMessageOverTheBoundGoesByData(int overBound, String transcript) throws Exception {
        String body = "x".repeat(76) + "\r\n";
        String message = "Subject: big\r\n\r\n" + body.repeat((MailTransaction.CHUNKING_MAX_BYTES + overBound) / body.length() + 1);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()
                .offeringChunking();
             SessionPool pool = reusingPool()) {
            HostAttemptResult result = send(new HostDelivery(5000, 5000, 5000, true, pool), server, "a", "m",
                message(message));

            assertThat(outcomes(List.of(result), "a")).isEqualTo("D");
            assertThat(server.transcript()).isEqualTo(SETUP + transcript);
            assertThat(server.messageContents().get(0)).isEqualTo(message);
        }
    }

    /** The bound holds for the canonical bytes (bare LF grows the message), not only for the stored size. */
    @Test
    void theSerialisedMessageStopsAtTheBound() throws Exception {
        MimeMessage bareLf = message("Subject: lf\n\n" + "x\n".repeat(100));
        Optional<MessageBytes> fits = SmtpConnection.chunkOf(bareLf, 10_000);
        assertThat(fits).isPresent();
        int size = fits.get().size();

        assertThat(SmtpConnection.chunkOf(bareLf, size)).isPresent();
        assertThat(SmtpConnection.chunkOf(bareLf, size - 1)).isEmpty();
        assertThat(size).isEqualTo(("Subject: lf\r\n\r\n" + "x\r\n".repeat(100)).length());
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }

    private static MimeMessage message(String source) throws Exception {
        return new MimeMessage(Session.getInstance(new java.util.Properties()),
            new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)));
    }

    /** The failure of the message itself (DATA, BDAT), not of a refused recipient. */
    private static DeliveryFailure failureOf(HostAttemptResult result) {
        return result.recipientOutcomes().stream().map(RecipientOutcome::failure).flatMap(Optional::stream)
            .filter(failure -> failure.kind() == FailureKind.MESSAGE_REJECTED).findFirst().orElseThrow();
    }
}
