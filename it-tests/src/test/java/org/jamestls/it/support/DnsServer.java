package org.jamestls.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real dnsmasq serving only the records given by a {@link DnsRecords} on {@link TestNetwork#DNS_ADDRESS}:53
 * (authoritative for nothing else: {@code --no-resolv --no-hosts}, names it does not know are answered
 * NXDOMAIN through {@code --local=/#/}). Changing the records restarts the process. TTLs are 0, so James's
 * dnsjava cache never keeps an old answer.
 */
public final class DnsServer implements AutoCloseable {

    private static final String DNSMASQ = "/usr/sbin/dnsmasq";

    private final Path dir;
    private final String address;
    private final int port;
    private DnsRecords records;
    private Process process;
    private int ttlSeconds;
    private static final String UNANSWERING_SERVER = "127.0.0.99";
    private final ServfailResponder servfail = new ServfailResponder();

    public DnsServer(Path dir, String address, int port, DnsRecords records) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.records = records;
    }

    /** dnsmasq on 127.0.0.2:53 with its files under {@code dir}. */
    public static DnsServer onDefaultAddress(Path dir, DnsRecords records) {
        return new DnsServer(dir, TestNetwork.DNS_ADDRESS, TestNetwork.DNS_PORT, records);
    }

    /**
     * Serves records with this TTL instead of 0 (must be set before {@link #start()}); 0 lets tests change
     * records at once, a realistic TTL lets James's DNS cache work as it does in production.
     */
    public synchronized DnsServer withTtl(int seconds) {
        this.ttlSeconds = seconds;
        return this;
    }

    /** Starts dnsmasq and waits (bounded) until it answers queries. */
    public synchronized DnsServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            Processes.killStale(pidFile(), "dnsmasq");
            Files.deleteIfExists(pidFile());
            List<String> cmd = new ArrayList<>(List.of(DNSMASQ,
                "--keep-in-foreground",
                // only the TXT records (quoting works in a conf file, not on the command line), never /etc/dnsmasq.conf
                "--conf-file=" + txtRecordsFile(),
                "--no-resolv", "--no-hosts", "--no-poll",
                "--bind-interfaces",
                "--listen-address=" + address,
                "--port=" + port,
                "--user=root",
                "--local=/#/",
                "--local-ttl=" + ttlSeconds,
                "--log-queries",
                "--log-facility=" + logFile(),
                "--pid-file=" + pidFile()));
            for (DnsRecords.A a : records.aRecords()) {
                cmd.add("--host-record=" + a.host + "," + a.ip + "," + ttlSeconds);
            }
            for (String domain : records.unansweredDomains()) {
                // nothing listens on this loopback address: dnsmasq's forwarded query is never answered
                cmd.add("--server=/" + domain + "/" + UNANSWERING_SERVER);
            }
            if (!records.servfailDomains().isEmpty()) {
                servfail.start();
            }
            for (String domain : records.servfailDomains()) {
                cmd.add("--server=/" + domain + "/" + ServfailResponder.ADDRESS);
            }
            for (DnsRecords.Forward f : records.forwardedDomains()) {
                cmd.add("--server=/" + f.domain + "/" + f.server + "#" + f.port);
            }
            for (DnsRecords.Mx mx : records.mxRecords()) {
                cmd.add("--mx-host=" + mx.domain + "," + mx.host + "," + mx.preference);
            }
            Files.write(txtRecordsFile(), txtRecordLines(records));
            Files.write(dir.resolve("dnsmasq.args"), cmd);
            process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.resolve("dnsmasq.out").toString())))
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start dnsmasq", e);
        }
        DnsClient client = client();
        boolean up = Processes.await(Duration.ofSeconds(15), () -> {
            if (!process.isAlive()) {
                return true;
            }
            try {
                client.query("ready.check.invalid", DnsClient.TYPE_A);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        if (!up || !process.isAlive()) {
            String out = Processes.readOrEmpty(dir.resolve("dnsmasq.out"));
            close();
            throw new IllegalStateException("dnsmasq did not come up on " + address + ":" + port + "\n"
                + Processes.tail(out, 20) + "\n" + Processes.tail(log(), 20));
        }
        return this;
    }

    /**
     * {@code txt-record=<name>,"<string>"[,"<string>"...]}, one line per TXT record of dnsmasq's conf file: between
     * quotes a comma stays in its string (a TLSRPT record's {@code rua} list), which dnsmasq allows in a conf file
     * only, not on its command line.
     */
    static List<String> txtRecordLines(DnsRecords records) {
        List<String> lines = new ArrayList<>();
        for (DnsRecords.Txt txt : records.txtRecords()) {
            List<String> quoted = new ArrayList<>();
            txt.strings.forEach(string -> quoted.add("\"" + string + "\""));
            lines.add("txt-record=" + txt.name + "," + String.join(",", quoted));
        }
        return lines;
    }

    private Path txtRecordsFile() {
        return dir.resolve("txt-records.conf");
    }

    /** Replaces all records and restarts dnsmasq (returns once it answers again). */
    public synchronized void setRecords(DnsRecords newRecords) {
        stopProcess();
        this.records = newRecords;
        start();
    }

    /** Changes the records, e.g. {@code dns.update(r -> r.mx("a.test", "mx.a.test", 10).a("mx.a.test", ip))}. */
    public synchronized void update(UnaryOperator<DnsRecords.Builder> change) {
        setRecords(change.apply(records.toBuilder()).build());
    }

    /**
     * Serves {@code more} as well, restarting dnsmasq only when one of them is new: how a test class declares the
     * records it uses, whichever classes ran before it.
     */
    public synchronized void publish(DnsRecords more) {
        DnsRecords merged = records.toBuilder().addAll(more).build();
        if (!merged.equals(records)) {
            setRecords(merged);
        }
    }

    public synchronized DnsRecords records() {
        return records;
    }

    /** A client asking this server (for assertions and debugging). */
    public DnsClient client() {
        return new DnsClient(address, port);
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** dnsmasq's query log (--log-queries). */
    public String log() {
        return Processes.readOrEmpty(logFile());
    }

    public Path logFile() {
        return dir.resolve("dnsmasq.log");
    }

    private Path pidFile() {
        return dir.resolve("dnsmasq.pid");
    }

    private void stopProcess() {
        Processes.stop(process, Duration.ofSeconds(5));
        process = null;
    }

    @Override
    public synchronized void close() {
        stopProcess();
        servfail.close();
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
