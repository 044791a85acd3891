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
 * A plain SMTP client that keeps its connection for many transactions: submits the benchmark's mail to James
 * ({@link #send}, lock-step), and is the "ceiling" client that delivers straight to the sinks
 * ({@link #sendFast}: with PIPELINING and CHUNKING when the server offers them, MAIL, RCPT and {@code BDAT n LAST}
 * with the message go in one write, one round trip per mail; PIPELINING alone: MAIL, RCPT, DATA in one write, then
 * the body, two round trips; neither: lock-step, four).
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
    private String ehlo = "";

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
            c.ehlo = c.expect(250, "EHLO " + helo);
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
        ehlo = expect(250, "EHLO " + helo);
    }

    /** Whether the last EHLO answer offered {@code keyword} (PIPELINING, CHUNKING, ...). */
    boolean offers(String keyword) {
        for (String line : ehlo.split(" 250[- ]")) {
            if (line.trim().toUpperCase(java.util.Locale.ROOT).startsWith(keyword)) {
                return true;
            }
        }
        return false;
    }

    /** One transaction with the fewest round trips the server's extensions allow. */
    void sendFast(String from, String to, byte[] message) throws IOException {
        boolean pipelining = offers("PIPELINING");
        if (offers("CHUNKING")) {
            String bdat = "BDAT " + message.length + " LAST";
            if (pipelining) {
                write("MAIL FROM:<" + from + ">");
                write("RCPT TO:<" + to + ">");
                write(bdat);
                out.write(message);
                out.flush();
                expectReply(250, "MAIL FROM");
                expectReply(250, "RCPT TO");
                expectReply(250, bdat);
            } else {
                expect(250, "MAIL FROM:<" + from + ">");
                expect(250, "RCPT TO:<" + to + ">");
                write(bdat);
                out.write(message);
                expect(250, null);
            }
        } else if (pipelining) {
            write("MAIL FROM:<" + from + ">");
            write("RCPT TO:<" + to + ">");
            write("DATA");
            out.flush();
            expectReply(250, "MAIL FROM");
            expectReply(250, "RCPT TO");
            expectReply(354, "DATA");
            out.write(message);
            out.write(DOT);
            expect(250, null);
        } else {
            send(from, to, message);
        }
    }

    /** One lock-step transaction; returns once the server answered 250 to the final dot. */
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
    private String expect(int code, String command) throws IOException {
        if (command != null) {
            write(command);
        }
        out.flush();
        return expectReply(code, command == null ? "data/greeting" : command);
    }

    private void write(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private String expectReply(int code, String what) throws IOException {
        String reply = readReply();
        if (!reply.startsWith(Integer.toString(code))) {
            throw new IOException(peer + " answered '" + reply + "' to " + what);
        }
        return reply;
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
