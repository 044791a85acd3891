package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.SmtpSubmitter;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A receiver that accepts connections and never says a word holds one delivery worker until the
 * timeout (60 s in the samples), and nothing else: mail to other domains keeps flowing meanwhile.
 */
@ExtendWith(SharedEnvironment.class)
class HangingReceiverIT {
    private static final String HANGING_IP = "127.0.0.30";
    /** The hanging MX, and the domain other mail flows to meanwhile. */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("hangs.test", "hang.receivers.test", 10).a("hang.receivers.test", HANGING_IP)
        .mx("other.prec.test", "rx-tls-1.receivers.test", 10)
        .build();

    @Test
    void aHangingMxDoesNotHoldBackOtherDomains(TestEnvironment env) throws Exception {
        JamesServer james = TlsScenarios.james(env);
        try (SilentReceiver silent = new SilentReceiver(HANGING_IP, TestNetwork.RECEIVER_PORT)) {
            String tag = SmtpSubmitter.uniqueSubject("h").toLowerCase();
            james.submitter().mail().from(TlsScenarios.uniqueSender("hang")).to("stuck-" + tag + "@hangs.test").send();
            silent.awaitConnection(Duration.ofSeconds(30));
            Instant start = Instant.now();

            List<String> others = IntStream.range(0, 8).mapToObj(i -> "flow" + i + "-" + tag + "@other.prec.test")
                .collect(Collectors.toList());
            others.forEach(recipient -> james.submitter().mail().from(TlsScenarios.uniqueSender("flow")).to(recipient).send());
            others.forEach(recipient -> env.receivers().awaitMessagesFor(recipient, 1, Duration.ofSeconds(20)));

            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));
            assertThat(silent.connections()).as("the hanging session is still open, nothing was retried yet").isEqualTo(1);
        }
    }

    /** Accepts TCP connections on loopback and never answers; closes them all at the end. */
    private static final class SilentReceiver implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new ArrayList<>();
        private final Thread acceptor;

        SilentReceiver(String ip, int port) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
            server.setSoTimeout(200);
            acceptor = new Thread(this::acceptUntilClosed, "silent-receiver");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void acceptUntilClosed() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    synchronized (accepted) {
                        accepted.add(socket);
                    }
                } catch (SocketTimeoutException e) {
                    // poll until closed
                } catch (IOException e) {
                    return;
                }
            }
        }

        int connections() {
            synchronized (accepted) {
                return accepted.size();
            }
        }

        void awaitConnection(Duration timeout) throws InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            while (connections() == 0 && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(connections()).as("James connected to the hanging MX").isPositive();
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(2000);
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
