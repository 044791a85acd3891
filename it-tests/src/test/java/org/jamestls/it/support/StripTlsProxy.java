package org.jamestls.it.support;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A man in the middle between James and a real receiver that attacks STARTTLS, and keeps every byte the
 * client sent so a test can prove what crossed it. It relays SMTP line by line (it never carries TLS).
 */
public final class StripTlsProxy implements AutoCloseable {
    public enum Attack {
        /** Removes STARTTLS from the EHLO answer. */
        STRIP_FROM_EHLO,
        /** Answers STARTTLS itself with 454, as if TLS were unavailable. */
        REJECT_STARTTLS,
        /** Answers STARTTLS itself with 220, then talks plaintext instead of a handshake. */
        FAKE_GO_AHEAD
    }

    private static final int MAX_LINES = 100_000;

    private final Attack attack;
    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final Thread acceptor;
    private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();

    public StripTlsProxy(Attack attack, String listenIp, int port, String upstreamIp, int upstreamPort) throws IOException {
        this.attack = attack;
        this.upstream = new InetSocketAddress(upstreamIp, upstreamPort);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(listenIp), port));
        server.setSoTimeout(200);
        acceptor = new Thread(this::acceptUntilClosed, "striptls-" + attack);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Everything any client sent to the proxy, as text (binary TLS records show up as garbage). */
    public String bytesFromClients() {
        synchronized (fromClients) {
            return fromClients.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread session = new Thread(() -> relay(client), "striptls-session");
                session.setDaemon(true);
                session.start();
            } catch (SocketTimeoutException e) {
                // poll until closed
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket server = new Socket()) {
            client.setSoTimeout(30_000);
            server.connect(upstream, 5_000);
            server.setSoTimeout(30_000);
            InputStream clientIn = new RecordingInputStream(client.getInputStream());
            BufferedReader fromClient = new BufferedReader(new InputStreamReader(clientIn, StandardCharsets.ISO_8859_1));
            BufferedReader fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream toClient = client.getOutputStream();
            OutputStream toServer = server.getOutputStream();
            write(toClient, readReply(fromServer));
            for (int i = 0; i < MAX_LINES; i++) {
                String line = fromClient.readLine();
                if (line == null) {
                    return;
                }
                String verb = line.toUpperCase();
                if (verb.equals("STARTTLS") && attack != Attack.STRIP_FROM_EHLO) {
                    write(toClient, List.of(attack == Attack.REJECT_STARTTLS ? "454 4.7.0 TLS not available" : "220 2.0.0 Ready to start TLS"));
                    if (attack == Attack.FAKE_GO_AHEAD) {
                        // plaintext where the server hello should be: the client's handshake must fail
                        write(toClient, List.of("250 plaintext, no TLS here"));
                    }
                    continue;
                }
                write(toServer, List.of(line));
                List<String> reply = readReply(fromServer);
                if (verb.startsWith("EHLO") && attack == Attack.STRIP_FROM_EHLO) {
                    reply = stripStartTls(reply);
                }
                write(toClient, reply);
                if (verb.equals("DATA") && reply.get(0).startsWith("354")) {
                    relayBody(fromClient, toServer);
                    write(toClient, readReply(fromServer));
                }
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // either side went away: the session is over
        }
    }

    private static void relayBody(BufferedReader fromClient, OutputStream toServer) throws IOException {
        for (int i = 0; i < MAX_LINES; i++) {
            String line = fromClient.readLine();
            if (line == null) {
                return;
            }
            write(toServer, List.of(line));
            if (line.equals(".")) {
                return;
            }
        }
    }

    private static List<String> stripStartTls(List<String> reply) {
        List<String> kept = new ArrayList<>();
        for (String line : reply) {
            if (!line.substring(4).trim().equalsIgnoreCase("STARTTLS")) {
                kept.add(line);
            }
        }
        // the last line of a multi-line reply has a space after the code
        String last = kept.remove(kept.size() - 1);
        kept.add(last.substring(0, 3) + " " + last.substring(4));
        for (int i = 0; i < kept.size() - 1; i++) {
            kept.set(i, kept.get(i).substring(0, 3) + "-" + kept.get(i).substring(4));
        }
        return kept;
    }

    private static List<String> readReply(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("upstream closed");
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return lines;
            }
        }
        throw new IOException("reply too long");
    }

    private static void write(OutputStream out, List<String> lines) throws IOException {
        for (String line : lines) {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    @Override
    public void close() throws Exception {
        server.close();
        acceptor.join(2000);
    }

    /** Copies every byte read from a client into {@link #fromClients}. */
    private final class RecordingInputStream extends InputStream {
        private final InputStream in;

        RecordingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                synchronized (fromClients) {
                    fromClients.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                synchronized (fromClients) {
                    fromClients.write(buffer, offset, n);
                }
            }
            return n;
        }
    }
}
