package org.jamestls.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.jamestls.testing.ScriptedSmtpServer;
import org.jamestls.testing.ScriptedSmtpServer.TlsBehaviour;
import org.jamestls.testing.UnverifiedTls;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What reaches the socket per SMTP step, plain and over TLS, counted below the connection's own buffering: under TLS
 * the counting socket is the one JSSE writes its records to, so one write there is one TLS record. A pipelined group
 * and a message with its final dot each leave in one write (a record per command line, or per 8 KiB of a message, is
 * what makes TLS expensive per mail); a multi-line reply is read with a few reads of the socket, not one per byte.
 */
class SmtpConnectionWritesTest {

    private static final int TIMEOUT_MILLIS = 10_000;

    @ParameterizedTest(name = "{0}, {1}-byte message: {2} write(s) for the message and its dot")
    @CsvSource({
        // tls,  message bytes, writes (TLS records) for the message and its dot; with 8 KiB buffers: 1, 1, 2, 5
        "false,  4096,          1",
        "true,   4096,          1",
        "true,   12000,         1",
        "true,   40000,         4",
    })
    void pipelinedGroupAndMessageLeaveInFewWrites(boolean tls, int messageBytes, int messageWrites) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()) {
            CountingSocket socket = new CountingSocket();
            SmtpConnection connection = SmtpConnection.open(socket, new InetSocketAddress("127.0.0.1", server.port()),
                Optional.empty(), TIMEOUT_MILLIS, TIMEOUT_MILLIS);
            try {
                assertThat(connection.readReply().code()).isEqualTo(220);
                assertThat(connection.command("EHLO client.test").code()).isEqualTo(250);
                if (tls) {
                    assertThat(connection.command("STARTTLS").code()).isEqualTo(220);
                    connection.startTls(UNVERIFIED, "mx.scripted.test");
                    assertThat(connection.command("EHLO client.test").code()).isEqualTo(250);
                }

                int before = socket.writes.get();
                connection.sendGroup(List.of("MAIL FROM:<a@sender.test>", "RCPT TO:<b@rcpt.test>",
                    "RCPT TO:<c@rcpt.test>", "RCPT TO:<d@rcpt.test>", "DATA"));
                assertThat(socket.writes.get() - before).as("writes for a group of 5 commands").isEqualTo(1);
                for (int reply = 0; reply < 4; reply++) {
                    assertThat(connection.readReply().code()).isEqualTo(250);
                }
                assertThat(connection.readReply().code()).isEqualTo(354);

                before = socket.writes.get();
                connection.writeMessage(message(messageBytes));
                connection.endMessage();
                assertThat(socket.writes.get() - before).as("writes for the message and its final dot")
                    .isEqualTo(messageWrites);
                assertThat(connection.readReply(TIMEOUT_MILLIS).code()).isEqualTo(250);
                assertThat(server.dataReceivedOverTls()).isEqualTo(tls);
            } finally {
                connection.close();
            }
        }
    }

    @ParameterizedTest(name = "tls={0}: a multi-line EHLO reply in at most {1} reads of the socket")
    @CsvSource({
        // tls, reads (plain: the reply's segment; TLS: JSSE reads a record's header, then its body)
        "false, 2",
        "true,  4",
    })
    void multiLineReplyIsNotReadBytePerByte(boolean tls, int maxReads) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TlsBehaviour.STARTTLS_WORKS).offeringPipelining()) {
            CountingSocket socket = new CountingSocket();
            SmtpConnection connection = SmtpConnection.open(socket, new InetSocketAddress("127.0.0.1", server.port()),
                Optional.empty(), TIMEOUT_MILLIS, TIMEOUT_MILLIS);
            try {
                connection.readReply();
                if (tls) {
                    connection.command("EHLO client.test");
                    connection.command("STARTTLS");
                    connection.startTls(UNVERIFIED, "mx.scripted.test");
                    // the server's NewSessionTicket (TLS 1.3) comes with the first reply: read it with a NOOP first
                    connection.command("NOOP");
                }
                int before = socket.reads.get();
                SmtpReply ehlo = connection.command("EHLO client.test");
                assertThat(ehlo.offersExtension("PIPELINING")).isTrue();
                assertThat(ehlo.asText().length()).as("the reply is long enough to tell").isGreaterThan(40);
                assertThat(socket.reads.get() - before).as("reads of the socket for a 4-line reply")
                    .isLessThanOrEqualTo(maxReads);
            } finally {
                connection.close();
            }
        }
    }

    private static MimeMessage message(int bytes) throws Exception {
        StringBuilder text = new StringBuilder("From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: size\r\n\r\n");
        while (text.length() < bytes) {
            text.append("line ").append(text.length()).append(" of a message, with a .dot now and then\r\n");
        }
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    /** A real socket whose streams count the calls that reach it (JSSE's, under TLS). */
    private static final class CountingSocket extends Socket {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        private InputStream in;
        private OutputStream out;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        reads.incrementAndGet();
                        return super.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        reads.incrementAndGet();
                        return super.read(b, off, len);
                    }
                };
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(int b) throws IOException {
                        writes.incrementAndGet();
                        super.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        writes.incrementAndGet();
                        out.write(b, off, len);
                    }
                };
            }
            return out;
        }
    }

    /** The mailet's own unverified client profile (tlsVerify no). */
    private static final TlsNegotiator UNVERIFIED = UnverifiedTls.profile();
}
