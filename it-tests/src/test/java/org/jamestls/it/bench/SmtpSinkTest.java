package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.jamestls.it.support.Processes;
import org.jamestls.it.support.TrustAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark sink's SMTP, in this JVM on 127.0.0.1 with an ephemeral port: what EHLO offers, pipelined groups
 * (nothing buffered is dropped, post-dot pipelining included), BDAT alone, in chunks and pipelined with MAIL/RCPT,
 * the switches that turn PIPELINING and CHUNKING off, the protocol errors it counts, and STARTTLS (a message over
 * TLS is recorded as such; plaintext pipelined behind STARTTLS is discarded and counted).
 */
class SmtpSinkTest {

    private static final String PASSWORD = "sink-test";
    private static SSLContext serverTls;

    @BeforeAll
    static void keyPair(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("sink.p12");
        Processes.run(Duration.ofSeconds(60), Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "sink", "-keyalg", "EC", "-validity", "2", "-dname", "CN=sink.test",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
            .requireSuccess("keytool");
        assertThat(Files.exists(keystore)).isTrue();
        serverTls = SmtpSink.serverContext(keystore.toString(), PASSWORD);
    }

    @Test
    void ehloOffersWhatPostfixOffersAndTheSwitchesRemovePipeliningAndChunking() throws Exception {
        try (Client c = new Client(sink(true, true))) {
            assertThat(c.command("EHLO client.test")).contains("250-PIPELINING", "250-SIZE 52428800", "250-STARTTLS",
                "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250 CHUNKING");
        }
        try (Client c = new Client(sink(false, false))) {
            String ehlo = c.command("EHLO client.test");
            assertThat(ehlo).contains("250-STARTTLS", "250 8BITMIME").doesNotContain("PIPELINING", "CHUNKING");
        }
    }

    @Test
    void pipelinedGroupsLoseNothingIncludingTheNextTransactionAfterTheFinalDot() throws Exception {
        SmtpSink sink = sink(true, true);
        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            c.write("MAIL FROM:<a@b.test> BODY=8BITMIME SIZE=5000\r\nRCPT TO:<r1@x.test>\r\nDATA\r\n");
            assertThat(c.replies(3)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>");
            // body, final dot and the whole next transaction (BDAT) in one write
            byte[] second = mail("m-2");
            c.write(new String(mail("m-1"), StandardCharsets.US_ASCII) + ".\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<r2@x.test>\r\n"
                + "BDAT " + second.length + " LAST\r\n" + new String(second, StandardCharsets.US_ASCII));
            assertThat(c.replies(4)).containsExactly("250 2.0.0 Ok: queued", "250 2.1.0 Ok", "250 2.1.5 Ok",
                "250 2.0.0 Ok: queued");
        }
        assertThat(records(sink)).containsExactly("m-1 plain data", "m-2 plain bdat");
        SmtpSink.Counters counters = sink.counters();
        assertThat(counters.pipelinedCommands.get()).as("RCPT, DATA; MAIL, RCPT, BDAT after the dot").isEqualTo(5);
        assertThat(counters.postDotPipelining.get()).as("MAIL behind the final dot").isEqualTo(1);
        assertThat(counters.improperPipelining.get() + counters.errorReplies.get() + counters.truncated.get()).isZero();
    }

    @Test
    void bdatInChunksThatCutLinesAndWithoutRecipients() throws Exception {
        SmtpSink sink = sink(true, true);
        byte[] m = mail("chunked");
        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@b.test>");
            c.command("RCPT TO:<r@x.test>");
            int[] cuts = {0, 17, 1000, m.length};
            for (int i = 0; i + 1 < cuts.length; i++) {
                int n = cuts[i + 1] - cuts[i];
                c.write("BDAT " + n + (i + 2 == cuts.length ? " LAST" : "") + "\r\n"
                    + new String(m, cuts[i], n, StandardCharsets.US_ASCII));
                assertThat(c.replies(1).get(0)).startsWith("250 2.0.0 Ok");
            }
            // a chunk without recipients is consumed and refused; the session goes on
            c.write("MAIL FROM:<a@b.test>\r\nBDAT 10 LAST\r\n0123456789NOOP\r\n");
            assertThat(c.replies(3)).containsExactly("250 2.1.0 Ok", "554 5.5.1 Error: no valid recipients",
                "250 2.0.0 Ok");
        }
        assertThat(records(sink)).containsExactly("chunked plain bdat");
        assertThat(sink.counters().errorReplies.get()).isEqualTo(1);
    }

    @Test
    void switchedOffExtensionsAreRefusedOrCountedWhenAClientUsesThemAnyway() throws Exception {
        SmtpSink sink = sink(false, false);
        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<r@x.test>\r\n");
            assertThat(c.replies(2)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok");
            assertThat(c.command("BDAT 0 LAST")).startsWith("502 ");
        }
        assertThat(sink.counters().unadvertisedPipelining.get()).isEqualTo(1);
        assertThat(sink.counters().errorReplies.get()).isEqualTo(1);
    }

    @Test
    void protocolErrorsAreAnsweredLikePostfixAndCounted() throws Exception {
        SmtpSink sink = sink(true, true);
        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            assertThat(c.command("MAIL FROM:<a@b.test> SIZE=99999999999")).startsWith("552 5.3.4");
            assertThat(c.command("MAIL FROM:<a@b.test> XFOO=1")).startsWith("555 5.5.4");
            assertThat(c.command("RCPT TO:<r@x.test>")).startsWith("503 5.5.1");
            assertThat(c.command("MAIL FROM:<a@b.test>")).startsWith("250");
            assertThat(c.command("DATA")).startsWith("554 5.5.1");
            // the message sent before the 354: improper pipelining, counted (and read as a message, as Postfix does)
            c.command("RCPT TO:<r@x.test>");
            c.write("DATA\r\n" + new String(mail("early"), StandardCharsets.US_ASCII) + ".\r\n");
            assertThat(c.replies(2)).containsExactly("354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued");
        }
        assertThat(sink.counters().errorReplies.get()).isEqualTo(4);
        assertThat(sink.counters().improperPipelining.get()).isEqualTo(1);
    }

    @Test
    void startTlsRecordsTheMessageOverTlsAndDiscardsPlaintextPipelinedBehindIt() throws Exception {
        SmtpSink sink = sink(true, true);
        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            assertThat(c.command("STARTTLS")).startsWith("220 ");
            c.startTls();
            assertThat(c.command("EHLO client.test")).doesNotContain("STARTTLS").contains("250 CHUNKING");
            byte[] m = mail("secure");
            c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<r@x.test>\r\nBDAT " + m.length + " LAST\r\n"
                + new String(m, StandardCharsets.US_ASCII));
            assertThat(c.replies(3)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.0.0 Ok: queued");
        }
        assertThat(records(sink)).containsExactly("secure tls bdat");
        assertThat(sink.counters().tlsFull.get()).isEqualTo(1);

        try (Client c = new Client(sink)) {
            c.command("EHLO client.test");
            c.write("STARTTLS\r\nMAIL FROM:<injected@b.test>\r\n");
            assertThat(c.replies(1)).containsExactly("220 2.0.0 Ready to start TLS");
            c.startTls();
            assertThat(c.command("EHLO client.test")).startsWith("250-");
            assertThat(c.command("RCPT TO:<r@x.test>")).as("the injected MAIL never counted").startsWith("503 ");
        }
        assertThat(sink.counters().plaintextAfterStartTls.get()).isEqualTo(1);
    }

    // ---- fixtures ----

    private static SmtpSink sink(boolean pipelining, boolean chunking) throws IOException {
        SmtpSink sink = new SmtpSink(serverTls.getSocketFactory(), new SmtpSink.Options(pipelining, chunking, 52_428_800));
        sink.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return sink;
    }

    private static byte[] mail(String id) {
        return BenchMail.message("a@b.test", "r@x.test", id);
    }

    /** Records as "id tls|plain data|bdat" (the time left out). */
    private static List<String> records(SmtpSink sink) {
        assertThat(Processes.await(Duration.ofSeconds(10), () -> sink.stats().contains(" open=0 ")))
            .as("sessions ended").isTrue();
        List<String> out = new ArrayList<>();
        for (String r : sink.counters().records) {
            String[] f = r.split(" ");
            out.add(f[0] + " " + f[2] + " " + f[3]);
        }
        return out;
    }

    /** A raw SMTP client: writes exactly what the test says, reads replies (multi-line ones joined). */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private LineReader in;
        private OutputStream out;

        Client(SmtpSink sink) throws IOException {
            socket = new Socket();
            socket.connect(sink.listening(), 5_000);
            socket.setSoTimeout(10_000);
            attach();
            assertThat(replies(1).get(0)).startsWith("220 ");
        }

        String command(String line) throws IOException {
            write(line + "\r\n");
            return replies(1).get(0);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        List<String> replies(int count) throws IOException {
            List<String> replies = new ArrayList<>();
            StringBuilder reply = new StringBuilder();
            while (replies.size() < count) {
                String line = in.readLine();
                if (line == null) {
                    throw new IOException("closed after " + replies);
                }
                reply.append(reply.length() == 0 ? "" : "\n").append(line);
                if (line.length() < 4 || line.charAt(3) == ' ') {
                    replies.add(reply.toString());
                    reply.setLength(0);
                }
            }
            return replies;
        }

        void startTls() throws IOException {
            SSLSocket ssl = (SSLSocket) TrustAll.context().getSocketFactory()
                .createSocket(socket, "127.0.0.1", socket.getPort(), true);
            ssl.setUseClientMode(true);
            ssl.startHandshake();
            socket = ssl;
            attach();
        }

        private void attach() throws IOException {
            in = new LineReader(socket.getInputStream(), 100_000);
            out = socket.getOutputStream();
        }

        @Override
        public void close() throws IOException {
            write("QUIT\r\n");
            replies(1);
            socket.close();
        }
    }
}
