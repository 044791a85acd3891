package org.jamestls.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Buffered CRLF (or bare LF) line reader over a socket stream, bounded line length, that can also hand over an
 * exact number of bytes (a BDAT chunk) from the same buffer, and tell whether input is already waiting (a
 * pipelining client's next command). Used by the sink and the benchmark's SMTP client; a new one must be made
 * after STARTTLS (what was read before the upgrade is not carried over: see {@link #pendingInput()}).
 */
final class LineReader {

    /** Receives the bytes of {@link #readExactly}, piece by piece, as they come out of the buffer. */
    interface ByteSink {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

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
            if (pos == limit && !fill()) {
                return length == 0 ? null : new String(line, 0, length, StandardCharsets.ISO_8859_1);
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
                line = Arrays.copyOf(line, Math.min(maxLine + 1, line.length * 2));
            }
            line[length++] = b;
        }
    }

    /** Exactly {@code count} bytes to {@code sink} (BDAT); fails if the stream ends first. */
    void readExactly(long count, ByteSink sink) throws IOException {
        long left = count;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw new IOException("connection closed with " + left + " of " + count + " chunk bytes missing");
            }
            int n = (int) Math.min(left, limit - pos);
            sink.accept(buffer, pos, n);
            pos += n;
            left -= n;
        }
    }

    /**
     * Bytes already received and not yet consumed: in this reader's buffer, or (TLS) decrypted and waiting in
     * the stream. A server that replies only when this is 0 answers a pipelined group in one write, as Postfix
     * does; after STARTTLS it tells whether plaintext was sent behind the command.
     */
    int pendingInput() throws IOException {
        return (limit - pos) + Math.max(0, in.available());
    }

    private boolean fill() throws IOException {
        limit = in.read(buffer, 0, buffer.length);
        pos = 0;
        if (limit <= 0) {
            limit = 0;
            return false;
        }
        return true;
    }
}
