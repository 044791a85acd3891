package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EightBitDowngradeTest {
    private static final String TEXT = "Grüße aus Köln, naïve café — 日本語\r\nsecond line ends with spaces  \r\n.leading dot\r\n";

    @Test
    void sevenBitMessageGoesAsItIsWithoutBodyParameter() throws Exception {
        MimeMessage message = parse(headers("text/plain; charset=US-ASCII", "7bit") + "plain ascii\r\n");

        for (boolean offers : new boolean[] {true, false}) {
            EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(message, offers);

            assertThat(prepared.message()).isSameAs(message);
            assertThat(prepared.bodyParameter()).isEmpty();
            assertThat(prepared.converted()).isFalse();
            assertThat(prepared.impossible()).isEmpty();
        }
    }

    @Test
    void eightBitMessageIsDeclaredToAReceiverThatOffers8BitMime() throws Exception {
        MimeMessage message = parse(headers("text/plain; charset=UTF-8", "8bit") + TEXT);

        EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(message, true);

        assertThat(prepared.message()).isSameAs(message);
        assertThat(prepared.bodyParameter()).isEqualTo(" BODY=8BITMIME");
    }

    /** Declared 8bit, or (wrongly) 7bit or nothing: the bytes decide. */
    @ParameterizedTest(name = "Content-Transfer-Encoding: {0}")
    @ValueSource(strings = {"8bit", "7bit", "binary", "-"})
    void eightBitTextIsConvertedToQuotedPrintableForAReceiverWithout8BitMime(String encoding) throws Exception {
        MimeMessage message = parse(headers("text/plain; charset=UTF-8", encoding) + TEXT);
        byte[] original = bytes(message);

        EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(message, false);

        assertThat(prepared.impossible()).isEmpty();
        assertThat(prepared.bodyParameter()).isEmpty();
        byte[] sent = bytes(prepared.message());
        assertThat(sevenBit(sent)).isTrue();
        assertThat(prepared.convertedSize()).isEqualTo(sent.length);
        MimeMessage received = parse(new String(sent, StandardCharsets.US_ASCII));
        assertThat(received.getEncoding()).isEqualTo("quoted-printable");
        assertThat(decoded(received)).isEqualTo(TEXT);
        assertThat(received.getMessageID()).isEqualTo("<id-1@test>");
        assertThat(received.getSubject()).isEqualTo("eight bit");
        assertThat(bytes(message)).as("the queued mail is not changed").isEqualTo(original);
    }

    @Test
    void multipartConvertsOnlyItsEightBitPartsTextToQuotedPrintableOthersToBase64() throws Exception {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i == '\r' || i == '\n' ? 'x' : i);
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes((headers("multipart/mixed; boundary=\"b1\"", "8bit")
            + "preamble\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT
            + "\r\n--b1\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nuntouched ascii part\r\n"
            + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
        raw.writeBytes(binary);
        raw.writeBytes("\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII));
        MimeMessage message = parse(raw.toByteArray());

        EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(message, false);

        byte[] sent = bytes(prepared.message());
        assertThat(sevenBit(sent)).isTrue();
        MimeMultipart parts = (MimeMultipart) parse(new String(sent, StandardCharsets.US_ASCII)).getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        MimeBodyPart text = (MimeBodyPart) parts.getBodyPart(0);
        assertThat(text.getEncoding()).isEqualTo("quoted-printable");
        assertThat(new String(readAll(text.getInputStream()), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        assertThat(((MimeBodyPart) parts.getBodyPart(1)).getContent()).isEqualTo("untouched ascii part");
        MimeBodyPart attachment = (MimeBodyPart) parts.getBodyPart(2);
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        assertThat(readAll(attachment.getInputStream())).isEqualTo(binary);
    }

    @Test
    void eightBitEmbeddedMessageCannotBeConverted() throws Exception {
        String raw = headers("multipart/mixed; boundary=\"b1\"", "8bit")
            + "--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\n" + TEXT + "\r\n--b1--\r\n";

        EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(parse(raw), false);

        assertThat(prepared.impossible()).hasValueSatisfying(reason -> assertThat(reason).contains("message/rfc822"));
        assertThat(EightBitDowngrade.prepare(parse(raw), true).bodyParameter()).isEqualTo(" BODY=8BITMIME");
    }

    @Test
    void rawEightBitHeaderCannotBeConverted() throws Exception {
        String raw = "Subject: Grüße\r\nMessage-ID: <id-2@test>\r\nContent-Type: text/plain\r\n\r\nascii body\r\n";

        EightBitDowngrade.Prepared prepared = EightBitDowngrade.prepare(parse(raw), false);

        assertThat(prepared.impossible()).hasValueSatisfying(reason -> assertThat(reason).contains("header"));
    }

    /**
     * MIME nesting is bounded ({@link EightBitDowngrade#MAX_NESTING}, as Postfix's mime_nesting_limit): past it the
     * conversion is refused (5.6.3) instead of recursing until the stack overflows. Run on a thread with a small stack
     * (256 KiB) so that the unbounded recursion shows with a message of moderate size; {@code eightBitLeafAtTheBottom}
     * puts the 8-bit part under all the levels, otherwise it sits beside a deep 7-bit branch (which saving the converted
     * copy would walk).
     */
    @ParameterizedTest(name = "{0} levels, 8-bit leaf at the bottom: {1}")
    @CsvSource({"100, true, false", "100, false, false", "101, true, true", "101, false, true", "2000, true, true",
        "2000, false, true"})
    void deepMimeNestingIsRefusedInsteadOfOverflowingTheStack(int levels, boolean eightBitLeafAtTheBottom, boolean refused)
            throws Exception {
        MimeMessage message = parse(nested(levels, eightBitLeafAtTheBottom));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                outcome.set(EightBitDowngrade.prepare(message, false));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "small-stack", 256 * 1024);
        thread.start();
        thread.join(TimeUnit.MINUTES.toMillis(2));

        assertThat(outcome.get()).isInstanceOf(EightBitDowngrade.Prepared.class);
        EightBitDowngrade.Prepared prepared = (EightBitDowngrade.Prepared) outcome.get();
        if (refused) {
            assertThat(prepared.impossible()).hasValueSatisfying(reason -> assertThat(reason).contains("nested deeper than 100"));
        } else {
            assertThat(prepared.impossible()).isEmpty();
            assertThat(sevenBit(bytes(prepared.message()))).isTrue();
        }
    }

    /** {@code levels} multiparts inside each other; the 8-bit text at the bottom, or beside the outermost level's child. */
    private static String nested(int levels, boolean eightBitLeafAtTheBottom) {
        StringBuilder raw = new StringBuilder(headers("multipart/mixed; boundary=\"b1\"", "-"));
        String eightBitPart = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT;
        if (!eightBitLeafAtTheBottom) {
            raw.append("--b1\r\n").append(eightBitPart);
        }
        for (int level = 1; level < levels; level++) {
            raw.append("--b").append(level).append("\r\nContent-Type: multipart/mixed; boundary=\"b").append(level + 1)
                .append("\"\r\n\r\n");
        }
        raw.append("--b").append(levels).append("\r\n").append(eightBitLeafAtTheBottom ? eightBitPart
            : "Content-Type: text/plain\r\n\r\nplain\r\n");
        for (int level = levels; level >= 1; level--) {
            raw.append("--b").append(level).append("--\r\n");
        }
        return raw.toString();
    }

    private static String headers(String contentType, String encoding) {
        return "From: a@source.test\r\nTo: b@dest.test\r\nSubject: eight bit\r\nMessage-ID: <id-1@test>\r\n"
            + "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: " + contentType + "\r\n"
            + (encoding.equals("-") ? "" : "Content-Transfer-Encoding: " + encoding + "\r\n") + "\r\n";
    }

    private static MimeMessage parse(String raw) throws Exception {
        return parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String decoded(MimeMessage message) throws Exception {
        return new String(readAll(message.getInputStream()), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static boolean sevenBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
