package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.jamestls.it.support.DeliveryLog;
import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.ReceivedMessage;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpConnection;
import org.jamestls.it.support.SmtpFaultProxy;
import org.jamestls.it.support.SmtpFaultProxy.Fault;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mail the mailet receives may be hostile. Each kind gets a clear outcome, through the real James: a folded
 * or 10 KB binding header is an unknown binding (warned about, truncated in the log, removed, delivered with
 * no binding); an internationalised domain goes to its A-label's MX; an 8-bit body is declared to a receiver
 * that offers 8BITMIME and converted to 7 bits for one that does not; a 20 MB mail to a receiver announcing
 * SIZE 10 MiB bounces 5.3.4 without a byte of it being sent, and its DSN carries the headers only (the sample's
 * DSNBounce; 20 MB because the sample listener refuses more than 25 MiB). Afterwards a normal mail still goes out
 * at once: no delivery thread died and the queue does not stall.
 *
 * <p>Receivers that must be watched sit behind a faithful {@link SmtpFaultProxy} (fault NONE), which records
 * what the mailet sent.
 */
@ExtendWith(SharedEnvironment.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {

    private static final String DOMAIN = "hostile.test";
    /** Text with 2- and 3-byte UTF-8 sequences, a line with trailing spaces and one starting with a dot. */
    private static final String EIGHT_BIT_TEXT = "Grüße aus Köln — naïve café, 日本語のテキスト\n"
        + "trailing spaces stay  \n.a line that starts with a dot\nlast line €\n";
    /** Above the receiver's 10 MiB, below the sample listener's 25 MiB. */
    private static final int BIG_MAIL_BYTES = 20 * 1024 * 1024;

    private static SmtpFaultProxy toNo8BitMime;
    private static SmtpFaultProxy to8BitMime;
    private static SmtpFaultProxy toSize10m;

    @BeforeAll
    static void jamesAndWatchingProxies(TestEnvironment env) throws Exception {
        TlsScenarios.james(env);
        toNo8BitMime = watch("127.0.0.81", TestNetwork.RX_NO8BIT_IP);
        to8BitMime = watch("127.0.0.82", TestNetwork.RX_PLAIN_IP);
        toSize10m = watch("127.0.0.83", TestNetwork.RX_SIZE10M_IP);
    }

    /** Each case's domain; the 8BITMIME and SIZE cases through a watching proxy in front of their receiver. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("binding." + DOMAIN, "rx-plain.receivers.test", 10)
        // bücher.hostile.test, only under its A-label, as in the real DNS
        .mx("xn--bcher-kva." + DOMAIN, "rx-plain-2.receivers.test", 10)
        .a("proxy-no8bit." + DOMAIN, "127.0.0.81").mx("no8bitmime." + DOMAIN, "proxy-no8bit." + DOMAIN, 10)
        .a("proxy-8bit." + DOMAIN, "127.0.0.82").mx("8bitmime." + DOMAIN, "proxy-8bit." + DOMAIN, 10)
        .a("proxy-size." + DOMAIN, "127.0.0.83").mx("size10m." + DOMAIN, "proxy-size." + DOMAIN, 10)
        .mx("bigsenders." + DOMAIN, TestNetwork.RX_NOLIMIT + TestNetwork.RECEIVER_HOSTNAME_SUFFIX, 10)
        .mx("after." + DOMAIN, "rx-plain.receivers.test", 10)
        .build();

    private static SmtpFaultProxy watch(String ip, String receiverIp) throws Exception {
        return new SmtpFaultProxy(Fault.NONE, ip, TestNetwork.RECEIVER_PORT, receiverIp, TestNetwork.RECEIVER_PORT);
    }

    @AfterAll
    static void closeProxies() throws Exception {
        for (SmtpFaultProxy proxy : new SmtpFaultProxy[] {toNo8BitMime, to8BitMime, toSize10m}) {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    // ------------------------------------------------------------------ 1. binding header

    static Stream<Arguments> hostileBindingHeaders() {
        StringBuilder tenKb = new StringBuilder("tenkb-");
        while (tenKb.length() < 10 * 1024) {
            // folded every 900 characters: James's SMTP intake takes lines up to RFC 5321's limit
            tenKb.append("x".repeat(Math.min(900, 10 * 1024 - tenKb.length()))).append("\r\n ");
        }
        return Stream.of(
            Arguments.of("folded", "hostile-fold\r\n continued", "hostile-fold continued"),
            Arguments.of("10 KB", tenKb.toString().trim(), "tenkb-" + "x".repeat(94) + "..."));
    }

    @ParameterizedTest(name = "{0} X-Binding: warned as unknown, truncated in the log, removed, delivered with no binding")
    @MethodSource("hostileBindingHeaders")
    @Order(1)
    void hostileBindingHeaderIsAnUnknownBindingAndTheMailIsDelivered(String kind, String value, String logged,
            TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("binding", "binding." + DOMAIN);

        james.submitter().mail().from(TlsScenarios.uniqueSender("hostile")).to(recipient).header("X-Binding", value)
            .send();

        ReceivedMessage delivered = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(delivered.header("X-Binding")).as("the binding header never leaves").isEmpty();
        assertThat(delivered.raw()).doesNotContain("tenkb-").doesNotContain("hostile-fold");
        assertThat(delivered.heloName()).as("no binding: the mailet's own EHLO name").isEqualTo("relay.example.org");
        String warning = james.awaitLog("asks for unknown binding or group '" + java.util.regex.Pattern.quote(logged) + "'",
            TlsScenarios.DELIVERY_TIMEOUT);
        assertThat(warning).as("the logged value is cut to 100 characters").hasSizeLessThan(400);
    }

    // ------------------------------------------------------------------ 2. internationalised domain

    @Test
    @Order(2)
    void internationalisedDomainIsDeliveredThroughItsALabelMx(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        String local = TlsScenarios.uniqueRecipient("idn", "x").replaceAll("@.*", "");

        // James 3.8.1's intake has no SMTPUTF8 and its MailAddress refuses a U-label domain: what it answers
        SmtpConnection.Reply uLabel;
        try (SmtpConnection c = SmtpConnection.open(james.smtpAddress(), james.smtpPort())) {
            c.expect(250, "EHLO submitter.it.test");
            c.expect(250, "MAIL FROM:<" + TlsScenarios.uniqueSender("idn") + ">");
            uLabel = c.command(utf8OnTheWire("RCPT TO:<" + local + "@bücher." + DOMAIN + ">"));
            c.command("QUIT");
        }
        System.out.println("James 3.8.1 answers RCPT TO:<" + local + "@bücher." + DOMAIN + "> with " + uLabel);
        assertThat(uLabel.code).as("James refuses a U-label recipient: " + uLabel).isBetween(500, 599);

        // what a real user's client sends instead (IDNA2008 clients convert the domain): the A-label
        String recipient = local + "@xn--bcher-kva." + DOMAIN;
        james.submitter().mail().from(TlsScenarios.uniqueSender("idn")).to(recipient).send();

        ReceivedMessage delivered = TlsScenarios.awaitDelivered(env, recipient);
        assertThat(delivered.receiverName()).isEqualTo(TestNetwork.RX_PLAIN_2);
    }

    /** A command whose non-ASCII characters go out as UTF-8 (SmtpConnection writes ISO-8859-1). */
    private static String utf8OnTheWire(String command) {
        return new String(command.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ 3. 8-bit body

    static Stream<Arguments> eightBitReceivers() {
        return Stream.of(
            Arguments.of("no8bitmime", false),
            Arguments.of("8bitmime", true));
    }

    @ParameterizedTest(name = "8-bit body to a receiver {0}: sent as 8-bit with BODY=8BITMIME = {1}, else as quoted-printable")
    @MethodSource("eightBitReceivers")
    @Order(3)
    void eightBitBodyIsDeclaredOrConvertedAsTheReceiverAllows(String receiver, boolean offers8BitMime,
            TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        SmtpFaultProxy proxy = offers8BitMime ? to8BitMime : toNo8BitMime;
        String recipient = TlsScenarios.uniqueRecipient("eightbit", receiver + "." + DOMAIN);

        james.submitter().mail().from(TlsScenarios.uniqueSender("eightbit")).to(recipient)
            .header("Content-Transfer-Encoding", "8bit").body(EIGHT_BIT_TEXT).send();

        ReceivedMessage delivered = TlsScenarios.awaitDelivered(env, recipient);
        String sent = proxy.bytesFromClients();
        String mailFrom = sent.lines().filter(line -> line.startsWith("MAIL FROM:")).reduce((a, b) -> b).orElseThrow();
        // as submitted: SmtpSubmitter ends the body with one more line break
        String expectedBody = EIGHT_BIT_TEXT.replace("\n", "\r\n") + "\r\n";
        if (offers8BitMime) {
            assertThat(mailFrom).endsWith(" BODY=8BITMIME");
            assertThat(delivered.header("Content-Transfer-Encoding")).hasValue("8bit");
            assertThat(normalise(delivered.body())).isEqualTo(expectedBody);
        } else {
            assertThat(mailFrom).doesNotContain("BODY=");
            assertThat(delivered.raw().chars()).as("7-bit clean at the receiver").allMatch(c -> c < 128);
            assertThat(delivered.header("Content-Transfer-Encoding")).hasValue("quoted-printable");
            assertThat(new String(quotedPrintable(delivered.body()), StandardCharsets.UTF_8)).isEqualTo(expectedBody);
        }
        assertThat(delivered.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("charset=UTF-8"));
    }

    /** The stored body with CRLF line ends (the Maildir file may hold bare LFs). */
    private static String normalise(String body) {
        return body.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    /** RFC 2045 6.7 quoted-printable decoding: soft line breaks joined, =XX decoded, hard breaks as CRLF. */
    private static byte[] quotedPrintable(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = encoded.replace("\r\n", "\n");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                i++;
            } else if (c == '=' && i + 2 < text.length()) {
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ 4. too big

    @Test
    @Order(4)
    void twentyMegabyteMailToATenMegabyteReceiverBouncesWithoutBeingSentAndItsDsnCarriesTheHeadersOnly(
            TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("big", "size10m." + DOMAIN);
        String sender = TlsScenarios.uniqueSender("big").replace("@" + TlsScenarios.SENDER_DOMAIN, "@bigsenders." + DOMAIN);
        StringBuilder body = new StringBuilder(BIG_MAIL_BYTES + 100);
        String line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n";
        while (body.length() < BIG_MAIL_BYTES) {
            body.append(line);
        }

        james.submitter().mail().from(sender).to(recipient).body(body.toString()).send();
        body.setLength(0);

        ReceivedMessage dsn = env.receivers().awaitMessagesFor(sender, 1, TlsScenarios.BOUNCE_TIMEOUT).get(0);
        assertThat(dsn.raw()).contains("Status: 5.3.4 ", "Final-Recipient: rfc822; " + recipient,
            "exceeds the " + TestNetwork.RX_SIZE10M_LIMIT + " bytes");
        assertThat(dsn.raw()).as("the DSN attaches the headers, not the mail").contains("text/rfc822-headers")
            .doesNotContain(line.trim());
        assertThat(dsn.raw().length()).as("DSN size").isLessThan(64 * 1024);
        assertThat(env.receivers().countMessagesFor(recipient)).isZero();
        assertThat(toSize10m.bytesFromClients()).as("the mailet asked (EHLO) and sent nothing")
            .contains("EHLO ").doesNotContain("MAIL FROM:").doesNotContain("DATA");
        assertThat(james.logLines(DeliveryLog.deferrals("size10m." + DOMAIN).regex())).isEmpty();
    }

    // ------------------------------------------------------------------ 5. still delivering

    @Test
    @Order(5)
    void afterAllThatANormalMailIsStillDeliveredPromptly(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        String recipient = TlsScenarios.uniqueRecipient("after", "after." + DOMAIN);
        long start = System.nanoTime();

        james.submitter().mail().from(TlsScenarios.uniqueSender("after")).to(recipient).send();

        env.receivers().awaitMessagesFor(recipient, 1, Duration.ofSeconds(15));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("delivered without waiting for a retry").isLessThan(Duration.ofSeconds(10));
        assertThat(james.isRunning()).isTrue();
        List<String> deaths = james.logLines("OutOfMemoryError|Exception in thread|delivery worker .*died");
        assertThat(deaths).isEmpty();
    }
}
