package org.jamestls.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A message serialised for {@code BDAT} ({@link SmtpConnection#chunkOf}), held in memory up to a bound: writing past
 * it fails with {@link Overflow}, so a large message is never held whole. It leaves without another copy.
 */
public final class MessageBytes {
    private final Bounded buffer;

    MessageBytes(int maxBytes) {
        buffer = new Bounded(maxBytes);
    }

    /** The exact byte count, as {@code BDAT} and {@code SIZE=} state it. */
    public int size() {
        return buffer.size();
    }

    /** The bytes one char each (ISO-8859-1), for tests. */
    @Override
    public String toString() {
        return buffer.toString(StandardCharsets.ISO_8859_1);
    }

    OutputStream sink() {
        return buffer;
    }

    void writeTo(OutputStream out) throws IOException {
        buffer.writeTo(out);
    }

    /** The message does not fit the bound. */
    static final class Overflow extends RuntimeException {
        Overflow() {
            super("message longer than the BDAT bound", null, false, false);
        }
    }

    private static final class Bounded extends ByteArrayOutputStream {
        private final int maxBytes;

        Bounded(int maxBytes) {
            super(Math.min(maxBytes, 8192));
            this.maxBytes = maxBytes;
        }

        @Override
        public synchronized void write(int b) {
            room(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            room(len);
            super.write(b, off, len);
        }

        private void room(int more) {
            if ((long) count + more > maxBytes) {
                throw new Overflow();
            }
        }
    }
}
