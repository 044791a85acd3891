package org.jamestls.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Buffered CRLF (or bare LF) line reader over a socket stream, bounded line length. Used by the sink and the
 * benchmark's SMTP client; a new one must be made after STARTTLS (nothing read before the upgrade is kept).
 */
final class LineReader {

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private final int maxLine;
    private int pos;
    private int limit;

    LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line without its line ending (ISO-8859-1), or null at end of stream. */
    String readLine() throws IOException {
        byte[] line = new byte[128];
        int length = 0;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return length == 0 ? null : new String(line, 0, length, StandardCharsets.ISO_8859_1);
                }
            }
            byte b = buffer[pos++];
            if (b == '\n') {
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                return new String(line, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (length == maxLine) {
                throw new IOException("line longer than " + maxLine + " bytes");
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(maxLine + 1, line.length * 2));
            }
            line[length++] = b;
        }
    }
}
