package org.jamestls.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLSocket;

import com.sun.mail.smtp.SMTPOutputStream;
import com.sun.mail.util.CRLFOutputStream;

/**
 * A plain SMTP client connection to one address: commands, replies, STARTTLS and the DATA stream.
 * It knows nothing about policies; callers decide what to send.
 */
public final class SmtpConnection implements Closeable {
    private static final int MAX_LINE_LENGTH = 4096;
    private static final int MAX_REPLY_LINES = 200;
    /**
     * What is written is sent in writes of up to this size: 16 KiB is a full TLS record (RFC 8446 section 5.1), so a
     * message up to that size leaves in one record, and a larger one in full records rather than 8 KiB halves.
     */
    static final int WRITE_BUFFER = 16 * 1024;

    private final InetSocketAddress remote;
    private final InetAddress local;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Optional<TlsSessionInfo> tls = Optional.empty();

    private SmtpConnection(InetSocketAddress remote, Socket socket) throws IOException {
        this.remote = remote;
        this.local = socket.getLocalAddress();
        attach(socket);
    }

    /** Opens a TCP connection, from {@code localAddress} when one is given (the binding's source address). */
    public static SmtpConnection open(InetSocketAddress remote, Optional<InetAddress> localAddress,
                                      int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
        return open(new Socket(), remote, localAddress, connectTimeoutMillis, readTimeoutMillis);
    }

    /** {@link #open} on an unconnected socket the caller made (a test's, that counts what reaches it). */
    static SmtpConnection open(Socket socket, InetSocketAddress remote, Optional<InetAddress> localAddress,
                               int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
        try {
            if (localAddress.isPresent()) {
                socket.bind(new InetSocketAddress(localAddress.get(), 0));
            }
            socket.setSoTimeout(readTimeoutMillis);
            // commands are flushed whole; Nagle would only hold back the small ones behind a message
            socket.setTcpNoDelay(true);
            socket.connect(remote, connectTimeoutMillis);
            return new SmtpConnection(remote, socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void attach(Socket newSocket) throws IOException {
        this.socket = newSocket;
        this.in = new BufferedInputStream(newSocket.getInputStream());
        this.out = new BufferedOutputStream(newSocket.getOutputStream(), WRITE_BUFFER);
    }

    public SmtpReply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (lines.size() < MAX_REPLY_LINES) {
            String line = readLine();
            if (line.length() < 3 || !isDigits(line.substring(0, 3))) {
                throw new SmtpProtocolException("Malformed SMTP reply from " + remote + ": " + sanitize(line));
            }
            int code = Integer.parseInt(line.substring(0, 3));
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (last) {
                return new SmtpReply(code, lines);
            }
        }
        throw new SmtpProtocolException("SMTP reply from " + remote + " has more than " + MAX_REPLY_LINES + " lines");
    }

    /** Waits up to {@code timeoutMillis} for the next reply (the final dot's own timeout), then restores the read timeout. */
    public SmtpReply readReply(int timeoutMillis) throws IOException {
        int readTimeout = socket.getSoTimeout();
        socket.setSoTimeout(timeoutMillis);
        try {
            return readReply();
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(readTimeout);
            }
        }
    }

    public SmtpReply command(String command) throws IOException {
        writeLine(command);
        out.flush();
        return readReply();
    }

    /**
     * Sends commands in one write without waiting between them (RFC 2920 PIPELINING); their replies are read in
     * order with {@link #readReply()}.
     */
    public void sendGroup(List<String> commands) throws IOException {
        // checked before any is buffered, so a refused command leaves nothing half-written behind
        commands.forEach(SmtpConnection::checkNoLineBreak);
        for (String command : commands) {
            writeLine(command);
        }
        out.flush();
    }

    /**
     * Upgrades the connection after a 220 answer to STARTTLS. The handshake completes before this returns,
     * so a failed negotiation surfaces here and no later byte is sent in clear on this socket.
     */
    public TlsSessionInfo startTls(TlsNegotiator negotiator, String peerHost) throws IOException {
        SSLSocket sslSocket = negotiator.negotiate(socket, peerHost, remote.getPort());
        attach(sslSocket);
        TlsSessionInfo info = TlsSessionInfo.from(sslSocket.getSession());
        tls = Optional.of(info);
        return info;
    }

    /**
     * Writes the message body after a 354, with CRLF line ends and dot-stuffing, without the final dot: a failure here
     * leaves the receiver without a complete message.
     */
    public void writeMessage(MimeMessage message) throws IOException, MessagingException {
        // SMTPOutputStream does not buffer: body and final dot leave in one flush of the buffered stream (small mails)
        SMTPOutputStream dataStream = new SMTPOutputStream(out);
        message.writeTo(dataStream);
        dataStream.ensureAtBOL();
    }

    /**
     * The message as {@code BDAT} carries it (RFC 3030): the same CRLF line ends and final line end as
     * {@link #writeMessage} gives it (javax.mail's {@link CRLFOutputStream}, which {@link SMTPOutputStream} extends),
     * without the dot-stuffing, which BDAT must not have. Empty when it is longer than {@code maxBytes}: the bytes
     * must be counted before they go, so they are held in memory, and only up to that bound.
     */
    public static Optional<MessageBytes> chunkOf(MimeMessage message, int maxBytes) throws IOException, MessagingException {
        MessageBytes bytes = new MessageBytes(maxBytes);
        LineEnds lineEnds = new LineEnds(bytes.sink());
        try {
            message.writeTo(lineEnds);
            lineEnds.ensureAtBOL();
        } catch (MessageBytes.Overflow e) {
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /**
     * Sends {@code commands}, then {@code BDAT <n> LAST} and the n bytes of {@code message}, in one write (RFC 2920
     * with RFC 3030): the whole transaction, whose replies are then read in order with {@link #readReply}. From here the
     * receiver may have the mail.
     */
    public void sendGroupWithLastChunk(List<String> commands, MessageBytes message) throws IOException {
        commands.forEach(SmtpConnection::checkNoLineBreak);
        for (String command : commands) {
            writeLine(command);
        }
        writeLine(lastChunkCommand(message));
        message.writeTo(out);
        out.flush();
    }

    /** The command that announces {@code message} as the last (only) chunk: {@code BDAT <n> LAST}. */
    public static String lastChunkCommand(MessageBytes message) {
        return "BDAT " + message.size() + " LAST";
    }

    /** Ends the message with the final dot and sends what is buffered; from here the receiver may have the mail. */
    public void endMessage() throws IOException {
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    public Optional<TlsSessionInfo> tls() {
        return tls;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /** The address this side connected from (the bound source address, or the one the system chose). */
    public InetAddress localAddress() {
        return local;
    }

    /** Best-effort QUIT on a healthy session (it waits up to the read timeout for the answer, which does not matter). */
    public void quietlyQuit() {
        try {
            command("QUIT");
        } catch (IOException | RuntimeException e) {
            // the server may already have closed; nothing left to do
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a broken socket can fail; it is gone either way
        }
    }

    private void writeLine(String line) throws IOException {
        checkNoLineBreak(line);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void checkNoLineBreak(String line) {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("SMTP command contains a line break: " + sanitize(line));
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b == -1 && buffer.size() == 0) {
                throw new SmtpConnectionClosedException("Connection closed by " + remote);
            }
            if (b == -1) {
                throw new SmtpProtocolException("Connection closed by " + remote + " after partial line "
                    + sanitize(buffer.toString(StandardCharsets.UTF_8)));
            }
            if (b == '\n') {
                String line = buffer.toString(StandardCharsets.UTF_8);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            }
            if (buffer.size() >= MAX_LINE_LENGTH) {
                throw new SmtpProtocolException("SMTP reply line from " + remote + " longer than " + MAX_LINE_LENGTH + " bytes");
            }
            buffer.write(b);
        }
    }

    /** CRLF line ends as for DATA, and the final one {@link SMTPOutputStream#ensureAtBOL} adds there. */
    private static final class LineEnds extends CRLFOutputStream {
        LineEnds(OutputStream out) {
            super(out);
        }

        void ensureAtBOL() throws IOException {
            if (!atBOL) {
                writeln();
            }
        }
    }

    private static boolean isDigits(String s) {
        return s.chars().allMatch(Character::isDigit);
    }

    private static String sanitize(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }
}
