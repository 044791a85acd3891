package org.jamestls.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;

/** A plain SMTP client connection over a raw socket, with STARTTLS upgrade. Keeps a transcript. */
public final class SmtpConnection implements AutoCloseable {

    /** One SMTP reply: the code and the text of each line (without "250-"). */
    public static final class Reply {
        public final int code;
        public final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = lines;
        }

        public boolean isPositive() {
            return code >= 200 && code < 400;
        }

        public boolean hasLine(String keyword) {
            return lines.stream().anyMatch(l -> l.toUpperCase(java.util.Locale.ROOT).startsWith(keyword));
        }

        @Override
        public String toString() {
            return code + " " + String.join(" | ", lines);
        }
    }

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private final StringBuilder transcript = new StringBuilder();
    private final String host;

    private SmtpConnection(Socket socket, String host) throws IOException {
        this.host = host;
        attach(socket);
    }

    /** Connects and reads the greeting (timeouts: 5 s connect, 30 s read). */
    public static SmtpConnection open(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(30_000);
        SmtpConnection c = new SmtpConnection(s, host);
        Reply greeting = c.readReply();
        if (greeting.code != 220) {
            c.close();
            throw new IOException("Unexpected greeting from " + host + ":" + port + ": " + greeting);
        }
        return c;
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        this.out = s.getOutputStream();
    }

    public Reply command(String line) throws IOException {
        send(line);
        return readReply();
    }

    /** Sends a command and fails unless the reply code is {@code expected}. */
    public Reply expect(int expected, String line) throws IOException {
        Reply r = command(line);
        if (r.code != expected) {
            throw new IOException("Expected " + expected + " to '" + line + "', got " + r + "\n" + transcript);
        }
        return r;
    }

    public void send(String line) throws IOException {
        transcript.append("C: ").append(line).append('\n');
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Writes raw bytes (message data), no transcript. */
    public void sendRaw(String data) throws IOException {
        out.write(data.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public Reply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String l = in.readLine();
            if (l == null) {
                throw new IOException("Connection closed by " + host + "\n" + transcript);
            }
            transcript.append("S: ").append(l).append('\n');
            if (l.length() < 3) {
                throw new IOException("Malformed SMTP reply: " + l);
            }
            lines.add(l.length() > 4 ? l.substring(4) : "");
            if (l.length() == 3 || l.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(l.substring(0, 3)), lines);
            }
        }
        throw new IOException("SMTP reply too long");
    }

    /**
     * Upgrades to TLS after a 220 to STARTTLS. Trusts any certificate (the receivers' are self-signed):
     * this checks whether a handshake is possible, not who the server is. Throws on handshake failure.
     */
    public SSLSocket startTls() throws IOException {
        return startTls(TlsClient.trustAll());
    }

    /** Upgrades to TLS after a 220 to STARTTLS, handshaking as {@code client}. Throws on handshake failure. */
    public SSLSocket startTls(TlsClient client) throws IOException {
        expect(220, "STARTTLS");
        SSLSocket ssl = client.handshake(socket, host);
        attach(ssl);
        transcript.append("-- TLS ").append(ssl.getSession().getProtocol()).append(' ')
            .append(ssl.getSession().getCipherSuite()).append('\n');
        return ssl;
    }

    public String transcript() {
        return transcript.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
