package org.jamestls.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Bounds the whole of a response, not each read: before every read the socket timeout is set to the time left,
 * so a server trickling one byte at a time cannot stretch a fetch past its deadline.
 */
public final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private final long deadlineNanos;

    public DeadlineInputStream(InputStream in, Socket socket, long deadlineNanos) {
        super(in);
        this.socket = socket;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public int read() throws IOException {
        arm();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        arm();
        return super.read(b, off, len);
    }

    private void arm() throws IOException {
        long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMillis <= 0) {
            throw new SocketTimeoutException("time limit reached");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
    }
}
