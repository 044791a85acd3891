package org.jamestls.it.bench;

import java.nio.charset.StandardCharsets;

/**
 * The benchmark's mail: about 4 KB of 7-bit text, one recipient, an {@code X-Bench-Id} header the sink records,
 * and a last body line {@link #END_MARKER}{@code id} by which the sink knows it got the whole message. Where each
 * mail goes: {@link BenchLayout}.
 */
final class BenchMail {

    static final String ID_HEADER = "X-Bench-Id";
    static final String END_MARKER = "END-OF-BENCH-MAIL ";
    /** Size of the message as submitted (headers + body), bytes. */
    static final int SIZE = 4096;

    private static final String FILLER =
        "The quick brown fox jumps over the lazy dog while the relay keeps its TLS sessions.";
    /** Body lines "0000 FILLER", "0001 FILLER", ..., made once: the clients build a message per mail. */
    private static final String[] FILLER_LINES = fillerLines();

    private BenchMail() {
    }

    static String id(String phase, int seq) {
        return phase + "-" + seq;
    }

    /** The message text with CRLF line endings, without the terminating dot; no line starts with a dot. */
    static byte[] message(String from, String to, String id) {
        StringBuilder m = new StringBuilder(SIZE + 200);
        m.append("From: ").append(from).append("\r\n");
        m.append("To: ").append(to).append("\r\n");
        m.append("Subject: benchmark ").append(id).append("\r\n");
        m.append("Message-ID: <").append(id).append('.').append(System.nanoTime()).append("@bench.test>\r\n");
        m.append("Date: Thu, 1 Jan 2026 00:00:00 +0000\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: text/plain; charset=us-ascii\r\n");
        m.append(ID_HEADER).append(": ").append(id).append("\r\n");
        m.append("\r\n");
        String end = END_MARKER + id + "\r\n";
        for (int line = 0; m.length() + FILLER.length() + 8 + end.length() <= SIZE; line++) {
            m.append(FILLER_LINES[line]);
        }
        m.append(end);
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String[] fillerLines() {
        String[] lines = new String[SIZE / FILLER.length() + 1];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = String.format("%04d ", i) + FILLER + "\r\n";
        }
        return lines;
    }
}
