package org.jamestls.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A James cluster started by {@code it-tests/scripts/cluster.sh} (the tests drive the script users run): a private
 * RabbitMQ on 127.0.0.60 and N nodes of the rabbitmq-server/ test vehicle, node i on 127.0.0.(60+i) (SMTP 2525,
 * WebAdmin 8000), all under one work directory. {@link #close()} runs {@code cluster.sh down}.
 *
 * <p>Addresses 127.0.0.60-69 belong to the cluster tests: .60 RabbitMQ, .61-.62 nodes, .63 an MX where nothing
 * ever listens, .64 a receiver started late, .65-.68 receivers, .69 their dnsmasq.
 */
public final class JamesCluster implements AutoCloseable {
    /**
     * The lock the cluster test classes hold ({@code @ResourceLock}): they run beside the shared environment's classes
     * (nothing else uses 127.0.0.60-69, nor RabbitMQ's epmd and inter-node ports on 127.0.0.1), one at a time.
     */
    public static final String ADDRESSES = "cluster addresses 127.0.0.60-69";
    public static final String RABBITMQ_ADDRESS = "127.0.0.60";
    public static final int RABBITMQ_MANAGEMENT_PORT = 15672;
    public static final int NODE_SMTP_PORT = 2525;
    public static final int NODE_WEBADMIN_PORT = 8000;
    public static final String DEAD_MX_IP = "127.0.0.63";
    public static final String LATE_RX_IP = "127.0.0.64";
    public static final List<String> RX_IPS = List.of("127.0.0.65", "127.0.0.66", "127.0.0.67", "127.0.0.68");
    public static final String DNS_ADDRESS = "127.0.0.69";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ");

    private final Path work;
    private final int nodes;

    private JamesCluster(Path work, int nodes) {
        this.work = work;
        this.nodes = nodes;
    }

    /**
     * {@code cluster.sh up} with a conf directory made from config-samples/: dnsmasq on {@link #DNS_ADDRESS}, port 2525
     * on every MX, and {@code mailetContainer} applied to the sample's mailetcontainer.xml.
     */
    public static JamesCluster up(Path work, int nodes, UnaryOperator<String> mailetContainer) {
        Processes.deleteRecursively(work);
        Path conf = work.resolve("conf");
        try {
            Files.createDirectories(conf);
            try (DirectoryStream<Path> samples = Files.newDirectoryStream(ItPaths.configSamples())) {
                for (Path sample : samples) {
                    if (Files.isRegularFile(sample)) {
                        Files.copy(sample, conf.resolve(sample.getFileName()));
                    }
                }
            }
            replace(conf.resolve("dnsservice.xml"), "<server>127.0.0.1</server>", "<server>" + DNS_ADDRESS + "</server>");
            Path container = conf.resolve("mailetcontainer.xml");
            Files.writeString(container, mailetContainer.apply(Files.readString(container)));
            // TlsRemoteDelivery dials the receivers' port; stock RemoteDelivery has no such parameter (always 25)
            if (Files.readString(container).contains("<smtpPort>25</smtpPort>")) {
                replace(container, "<smtpPort>25</smtpPort>", "<smtpPort>" + TestNetwork.RECEIVER_PORT + "</smtpPort>");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JamesCluster cluster = new JamesCluster(work, nodes);
        cluster.script("up", "--nodes", Integer.toString(nodes), "--conf", conf.toString(), "--jar",
            mailetJar().toString(), "--runtime", ItPaths.rabbitMqRuntime().toString());
        return cluster;
    }

    /** {@code text} with {@code from} replaced, failing when the sample no longer contains it. */
    public static String replacing(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("mailetcontainer.xml no longer contains " + from);
        }
        return text.replace(from, to);
    }

    private static void replace(Path file, String from, String to) throws IOException {
        Files.writeString(file, replacing(Files.readString(file), from, to));
    }

    private static Path mailetJar() {
        Path ext = ItPaths.jamesRuntime().resolve("extensions-jars");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(ext, "james-tls-delivery-*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no mailet jar in " + ext + " (run through Maven)");
    }

    private Processes.Result script(String... arguments) {
        List<String> command = new ArrayList<>(List.of("bash", ItPaths.clusterScript().toString()));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--work", work.toString()));
        Processes.Result result = Processes.run(SCRIPT_TIMEOUT, command.toArray(String[]::new));
        if (result.exitCode != 0) {
            throw new IllegalStateException("cluster.sh " + String.join(" ", arguments) + " failed (exit "
                + result.exitCode + "):\n" + result.output);
        }
        return result;
    }

    public String status() {
        return script("status").output;
    }

    /** SIGKILL of node {@code i}, like {@code kill -9}. */
    public void kill(int i) {
        script("stop", "--node", Integer.toString(i), "--kill");
    }

    /** SIGTERM of node {@code i}: James shuts down (mailets destroyed). */
    public void stop(int i) {
        script("stop", "--node", Integer.toString(i));
    }

    /** Starts node {@code i} again over its home; returns once it answers SMTP and WebAdmin. */
    public void start(int i) {
        script("start", "--node", Integer.toString(i));
    }

    public int nodes() {
        return nodes;
    }

    public static String nodeAddress(int i) {
        return "127.0.0." + (60 + i);
    }

    public SmtpSubmitter submitter(int i) {
        return new SmtpSubmitter(nodeAddress(i), NODE_SMTP_PORT);
    }

    public WebAdminClient webAdmin(int i) {
        return new WebAdminClient(nodeAddress(i), NODE_WEBADMIN_PORT);
    }

    public long pid(int i) {
        return Processes.readPid(work.resolve("node" + i + ".pid"))
            .orElseThrow(() -> new IllegalStateException("node" + i + " is not running"));
    }

    /** User + system CPU seconds the node's JVM has used so far (/proc/PID/stat, clock ticks of 1/100 s). */
    public double cpuSeconds(int i) {
        return cpuSecondsOf(pid(i));
    }

    public double rabbitMqCpuSeconds() {
        long shell = Processes.readPid(work.resolve("rabbitmq.pid")).orElseThrow();
        // the recorded pid is the start script's; beam.smp is its descendant
        return ProcessHandle.of(shell).stream().flatMap(ProcessHandle::descendants)
            .mapToDouble(p -> cpuSecondsOf(p.pid())).sum() + cpuSecondsOf(shell);
    }

    private static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Everything node {@code i} logged, over all its starts (cluster.sh keeps earlier logs as james-EPOCH.log). */
    public String log(int i) {
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(work.resolve("node" + i), "james*.log")) {
            files.forEach(logs::add);
        } catch (IOException e) {
            return "";
        }
        logs.sort(null); // james-<epoch>.log before james.log
        StringBuilder all = new StringBuilder();
        logs.forEach(log -> all.append(Processes.readOrEmpty(log)));
        return all.toString();
    }

    public List<String> logLines(int i, String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> lines = new ArrayList<>();
        for (String line : log(i).split("\n")) {
            if (p.matcher(line).find()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Matching lines of every node. */
    public List<String> logLines(String regex) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            lines.addAll(logLines(i, regex));
        }
        return lines;
    }

    /** Epoch milliseconds of a log line (James's pattern starts with HH:mm:ss.SSS, today). */
    public static long timeOf(String logLine) {
        Matcher m = LOG_TIME.matcher(logLine);
        if (!m.find()) {
            throw new IllegalArgumentException("no time in log line: " + logLine);
        }
        return LocalDate.now().atTime(LocalTime.parse(m.group(1)))
            .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    /**
     * Messages (ready + unacknowledged) in the RabbitMQ queues of {@code mailQueue} and its delay queues
     * ({@code JamesMailQueue-workqueue-<mailQueue>*}), from the management API: the FakeMailQueueView's size is 0.
     */
    public long queued(String mailQueue) {
        String json = rabbitMq("/api/queues");
        Matcher objects = Pattern.compile("\\{[^{}]*\\}").matcher(json);
        Pattern name = Pattern.compile("\"name\":\"JamesMailQueue-workqueue-" + Pattern.quote(mailQueue) + "(-retry-[^\"]*)?\"");
        Pattern messages = Pattern.compile("\"messages\":(\\d+)");
        long total = 0;
        while (objects.find()) {
            String object = objects.group();
            Matcher count = messages.matcher(object);
            if (name.matcher(object).find() && count.find()) {
                total += Long.parseLong(count.group(1));
            }
        }
        return total;
    }

    private static String rabbitMq(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL("http://" + RABBITMQ_ADDRESS + ":"
                + RABBITMQ_MANAGEMENT_PORT + path + "?columns=name,messages").openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(10_000);
            c.setRequestProperty("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)));
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("RabbitMQ management API " + path, e);
        }
    }

    public Path work() {
        return work;
    }

    @Override
    public void close() {
        script("down");
    }
}
