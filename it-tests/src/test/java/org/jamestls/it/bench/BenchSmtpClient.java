package org.jamestls.it.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A plain SMTP client that keeps its connection for many transactions (no PIPELINING): submits the benchmark's
 * mail to James, and is the "ceiling" client that delivers straight to the sinks.
 */
final class BenchSmtpClient implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final byte[] DOT = ".\r\n".getBytes(StandardCharsets.US_ASCII);

    private final String peer;
    private final String helo;
    private Socket socket;
    private LineReader in;
    private OutputStream out;

    private BenchSmtpClient(Socket socket, String peer, String helo) throws IOException {
        this.peer = peer;
        this.helo = helo;
        attach(socket);
    }

    /** Connects, reads the greeting and says EHLO. */
    static BenchSmtpClient open(String host, int port, String helo) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            BenchSmtpClient c = new BenchSmtpClient(s, host + ":" + port, helo);
            c.expect(220, null);
            c.expect(250, "EHLO " + helo);
            return c;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** STARTTLS, handshake with {@code context}, EHLO again. */
    void startTls(SSLContext context) throws IOException {
        expect(220, "STARTTLS");
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket,
            remote.getAddress().getHostAddress(), remote.getPort(), true);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        attach(ssl);
        expect(250, "EHLO " + helo);
    }

    /** One transaction; returns once the server answered 250 to the final dot. */
    void send(String from, String to, byte[] message) throws IOException {
        expect(250, "MAIL FROM:<" + from + ">");
        expect(250, "RCPT TO:<" + to + ">");
        expect(354, "DATA");
        out.write(message);
        out.write(DOT);
        expect(250, null);
    }

    private void attach(Socket s) throws IOException {
        socket = s;
        in = new LineReader(s.getInputStream(), 4096);
        out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
    }

    /** Sends {@code command} (if not null) and reads the reply, which must have code {@code code}. */
    private void expect(int code, String command) throws IOException {
        if (command != null) {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
        String reply = readReply();
        if (!reply.startsWith(Integer.toString(code))) {
            String what = command == null ? "data/greeting" : command;
            throw new IOException(peer + " answered '" + reply + "' to " + what);
        }
    }

    private String readReply() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by " + peer);
            }
            all.append(line).append(' ');
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return all.toString().trim();
            }
        }
        throw new IOException("reply too long from " + peer);
    }

    @Override
    public void close() {
        try {
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readReply();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed
        }
    }
}
