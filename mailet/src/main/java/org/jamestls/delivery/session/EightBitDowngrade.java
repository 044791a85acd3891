package org.jamestls.delivery.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimePart;
import javax.mail.util.ByteArrayDataSource;

/**
 * RFC 6152 for one receiver: a message with 8-bit bytes goes as it is, declared with {@code BODY=8BITMIME},
 * only to a receiver that offers 8BITMIME. For one that does not, a copy is made in which every leaf part
 * holding 8-bit bytes is re-encoded (quoted-printable for text, base64 otherwise), the way javax.mail and
 * James's RemoteDelivery convert; the queued mail is not changed, so another MX that offers 8BITMIME still
 * gets the original. When the copy would still carry an 8-bit byte (a raw 8-bit header, an 8-bit
 * {@code message/*} part, an unknown transfer encoding) the mail cannot go to that receiver: the caller
 * fails it with {@code 5.6.3}. So it does when multiparts are nested deeper than {@link #MAX_NESTING} levels: the
 * conversion and javax.mail's saving of the copy recurse once per level, and a deeply nested message must not
 * overflow a delivery thread's stack.
 */
final class EightBitDowngrade {
    /** Multipart levels a message may nest for the conversion; Postfix's {@code mime_nesting_limit} default. */
    static final int MAX_NESTING = 100;

    /** What to send to one receiver, and the MAIL FROM parameter that declares it. */
    static final class Prepared {
        private final MimeMessage message;
        private final String bodyParameter;
        private final long convertedSize;
        private final String impossible;

        private Prepared(MimeMessage message, String bodyParameter, long convertedSize, String impossible) {
            this.message = message;
            this.bodyParameter = bodyParameter;
            this.convertedSize = convertedSize;
            this.impossible = impossible;
        }

        /** The message to send (the original, or the 7-bit copy). */
        MimeMessage message() {
            return message;
        }

        /** {@code " BODY=8BITMIME"} or empty. */
        String bodyParameter() {
            return bodyParameter;
        }

        /** The size of the 7-bit copy in bytes; -1 when the original is sent. */
        long convertedSize() {
            return convertedSize;
        }

        boolean converted() {
            return convertedSize >= 0;
        }

        /** Why the message cannot go to this receiver, if it cannot. */
        Optional<String> impossible() {
            return Optional.ofNullable(impossible);
        }
    }

    private EightBitDowngrade() {
    }

    static Prepared prepare(MimeMessage message, boolean receiverOffers8BitMime) throws MessagingException, IOException {
        if (!scan(message).sawEightBit) {
            return new Prepared(message, "", -1, null);
        }
        if (receiverOffers8BitMime) {
            return new Prepared(message, " BODY=8BITMIME", -1, null);
        }
        MimeMessage copy = new RelayedCopy(message);
        if (nestedDeeperThan(copy, MAX_NESTING)) {
            return new Prepared(null, "", -1, "MIME parts nested deeper than " + MAX_NESTING + " levels");
        }
        Optional<String> refused = downgrade(copy);
        if (refused.isPresent()) {
            return new Prepared(null, "", -1, refused.get());
        }
        copy.saveChanges();
        Scan after = scan(copy);
        if (after.sawEightBit) {
            return new Prepared(null, "", -1, "8-bit bytes outside the body parts (in a header or between MIME parts)");
        }
        return new Prepared(copy, "", after.bytes, null);
    }

    /** Re-encodes every 8-bit leaf of {@code part}; tells why not when one cannot be. */
    private static Optional<String> downgrade(MimePart part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            if (!(content instanceof MimeMultipart)) {
                return Optional.of("unreadable multipart " + part.getContentType());
            }
            MimeMultipart multipart = (MimeMultipart) content;
            boolean changed = false;
            for (int i = 0; i < multipart.getCount(); i++) {
                MimePart child = (MimePart) multipart.getBodyPart(i);
                if (!hasEightBit(child)) {
                    continue;
                }
                Optional<String> refused = downgrade(child);
                if (refused.isPresent()) {
                    return refused;
                }
                changed = true;
            }
            if (changed) {
                // otherwise the part would write its original bytes, not the changed children
                part.setContent(multipart);
            }
            return Optional.empty();
        }
        if (!hasEightBit(part)) {
            return Optional.empty();
        }
        if (part.isMimeType("message/*")) {
            return Optional.of("an 8-bit " + baseType(part) + " part (it may not be re-encoded, RFC 2046)");
        }
        byte[] decoded;
        try (InputStream in = part.getInputStream()) {
            decoded = in.readAllBytes();
        } catch (MessagingException e) {
            return Optional.of("a part with an undecodable transfer encoding '" + part.getEncoding() + "'");
        }
        String contentType = part.getContentType();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, contentType)));
        part.setHeader("Content-Type", contentType);
        part.setHeader("Content-Transfer-Encoding", part.isMimeType("text/*") ? "quoted-printable" : "base64");
        return Optional.empty();
    }

    /** Whether some multipart lies more than {@code limit} levels deep; walks the parts without recursing. */
    private static boolean nestedDeeperThan(MimePart root, int limit) throws MessagingException, IOException {
        Deque<Map.Entry<MimePart, Integer>> parts = new ArrayDeque<>();
        parts.push(Map.entry(root, 1));
        while (!parts.isEmpty()) {
            Map.Entry<MimePart, Integer> next = parts.pop();
            MimePart part = next.getKey();
            if (!part.isMimeType("multipart/*")) {
                continue;
            }
            if (next.getValue() > limit) {
                return true;
            }
            Object content = part.getContent();
            if (content instanceof MimeMultipart) {
                MimeMultipart multipart = (MimeMultipart) content;
                for (int i = 0; i < multipart.getCount(); i++) {
                    parts.push(Map.entry((MimePart) multipart.getBodyPart(i), next.getValue() + 1));
                }
            }
        }
        return false;
    }

    private static boolean hasEightBit(Part part) throws MessagingException, IOException {
        try (InputStream raw = rawContent(part)) {
            byte[] buffer = new byte[8192];
            for (int n = raw.read(buffer); n >= 0; n = raw.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static InputStream rawContent(Part part) throws MessagingException {
        if (part instanceof MimeMessage) {
            return ((MimeMessage) part).getRawInputStream();
        }
        return ((MimeBodyPart) part).getRawInputStream();
    }

    private static String baseType(Part part) throws MessagingException {
        String type = part.getContentType();
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Scan scan(MimeMessage message) throws MessagingException, IOException {
        Scan scan = new Scan();
        message.writeTo(scan);
        return scan;
    }

    /** Counts the bytes written and notes any with the high bit set. */
    private static final class Scan extends OutputStream {
        long bytes;
        boolean sawEightBit;

        @Override
        public void write(int b) {
            bytes++;
            sawEightBit |= (b & 0x80) != 0;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            bytes += length;
            if (!sawEightBit) {
                for (int i = offset; i < offset + length; i++) {
                    if (buffer[i] < 0) {
                        sawEightBit = true;
                        break;
                    }
                }
            }
        }
    }

    /** A copy that keeps the relayed message's identity: saving it does not replace its Message-ID. */
    private static final class RelayedCopy extends MimeMessage {
        RelayedCopy(MimeMessage source) throws MessagingException {
            super(source);
        }

        @Override
        protected void updateMessageID() {
            // a relay must not change the Message-ID of the mail it carries
        }
    }

    /** For tests: whether {@code message} holds any 8-bit byte. */
    static boolean hasEightBit(MimeMessage message) throws MessagingException, IOException {
        return scan(message).sawEightBit;
    }
}
