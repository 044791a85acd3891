package org.jamestls.it.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the sink learns from one message's content, fed as DATA lines (dot-stuffing already removed) or as the raw
 * bytes of BDAT chunks: its size, its {@link BenchMail#ID_HEADER} and whether its last non-empty body line is
 * {@link BenchMail#END_MARKER}{@code id} (a message without it counts as truncated).
 */
final class MessageCheck {

    private static final String ID_PREFIX = BenchMail.ID_HEADER + ":";

    private final int maxLine;
    private byte[] partial = new byte[256];
    private int partialLength;
    private boolean headers = true;
    private String id;
    private String last = "";
    private long bytes;

    MessageCheck(int maxLine) {
        this.maxLine = maxLine;
    }

    /** One content line without its CRLF (DATA). */
    void line(String line) {
        bytes += line.length() + 2;
        content(line);
    }

    private void content(String line) {
        if (headers) {
            if (line.isEmpty()) {
                headers = false;
            } else if (line.regionMatches(true, 0, ID_PREFIX, 0, ID_PREFIX.length())) {
                id = line.substring(ID_PREFIX.length()).trim();
            }
        } else if (!line.isEmpty()) {
            last = line;
        }
    }

    /** Raw content bytes (BDAT): split into lines at LF, a line may span chunks. */
    void bytes(byte[] b, int offset, int length) throws IOException {
        bytes += length;
        for (int i = offset; i < offset + length; i++) {
            if (b[i] == '\n') {
                int end = partialLength > 0 && partial[partialLength - 1] == '\r' ? partialLength - 1 : partialLength;
                String line = new String(partial, 0, end, StandardCharsets.ISO_8859_1);
                partialLength = 0;
                content(line);
            } else {
                if (partialLength == maxLine) {
                    throw new IOException("message line longer than " + maxLine + " bytes");
                }
                if (partialLength == partial.length) {
                    partial = Arrays.copyOf(partial, Math.min(maxLine, partial.length * 2));
                }
                partial[partialLength++] = b[i];
            }
        }
    }

    /** Ends the content: a BDAT message whose last line has no line end keeps that line. */
    void finish() {
        if (partialLength > 0) {
            content(new String(partial, 0, partialLength, StandardCharsets.ISO_8859_1));
            partialLength = 0;
        }
    }

    /** The message's id when it is complete (id header and end marker present), else null. */
    String completeId() {
        return id != null && last.equals(BenchMail.END_MARKER + id) ? id : null;
    }

    long size() {
        return bytes;
    }
}
