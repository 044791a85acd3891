package org.jamestls.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Apache James 3.8.1 server as a child JVM, by default the memory server:
 * {@code java -Xmx512m -Dworking.directory=HOME -Dlogback.configurationFile=HOME/conf/logback.xml
 * -cp 'target/james-runtime/lib/*' org.apache.james.MemoryJamesServerMain}.
 *
 * <p>HOME ({@code target/james-home}) is rebuilt on every start: conf/ = config-samples/ with the
 * {@link #SUBSTITUTIONS} applied, then the {@link JamesConfig}'s override files, and a self-signed certificate for
 * the SMTP listener's STARTTLS (smtp-tls-chain.pem, smtp-tls-key.pem, written by scripts/listener-cert.sh);
 * extensions-jars/ = the mailet jar(s) from target/james-runtime/extensions-jars. stdout+stderr go to HOME/logs/console.log.
 * Started means SMTP greets and WebAdmin answers HTTP.
 *
 * <p>A {@link Flavor} other than the memory server (the ActiveMQ-queue server of RestartPersistenceIT) and other
 * {@link Endpoints} than {@link TestNetwork}'s can be chosen with {@link #custom}; such a James can be killed
 * ({@link #kill()}) and started again over the same HOME, var/ included ({@link #restartKeepingHome()}).
 */
public final class JamesServer implements AutoCloseable {

    /** One explicit text replacement in a conf file. */
    public static final class Substitution {
        public final String file;
        public final String from;
        public final String to;

        Substitution(String file, String from, String to) {
            this.file = file;
            this.from = from;
            this.to = to;
        }

        @Override
        public String toString() {
            return file + ": " + from + " -> " + to;
        }
    }

    /** Where a James listens and what it dials: the {@link TestNetwork} defaults, or others for a second James. */
    public static final class Endpoints {
        /** {@link TestNetwork}'s addresses and ports (the shared environment's James). */
        public static final Endpoints DEFAULT = new Endpoints(TestNetwork.JAMES_SMTP_ADDRESS,
            TestNetwork.JAMES_SMTP_PORT, "127.0.0.1", TestNetwork.JAMES_WEBADMIN_PORT, TestNetwork.DNS_ADDRESS,
            TestNetwork.RECEIVER_PORT);

        public final String smtpAddress;
        public final int smtpPort;
        public final String webAdminAddress;
        public final int webAdminPort;
        public final String dnsAddress;
        public final int receiverPort;

        public Endpoints(String smtpAddress, int smtpPort, String webAdminAddress, int webAdminPort, String dnsAddress,
                         int receiverPort) {
            this.smtpAddress = smtpAddress;
            this.smtpPort = smtpPort;
            this.webAdminAddress = webAdminAddress;
            this.webAdminPort = webAdminPort;
            this.dnsAddress = dnsAddress;
            this.receiverPort = receiverPort;
        }
    }

    /** Which James 3.8.1 server: main class, and the runtime directory (lib/, extensions-jars/) it runs from. */
    public static final class Flavor {
        final String mainClass;
        final Path runtime;
        final String requiredJar;

        private Flavor(String mainClass, Path runtime, String requiredJar) {
            this.mainClass = mainClass;
            this.runtime = runtime.toAbsolutePath();
            this.requiredJar = requiredJar;
        }

        /** MemoryJamesServerMain from target/james-runtime (every IT but RestartPersistenceIT). */
        public static Flavor memory(Path runtime) {
            return new Flavor(MAIN_CLASS, runtime, "james-server-memory-app-3.8.1.jar");
        }

        /**
         * The memory server with the JPA app's persistent ActiveMQ (KahaDB) mail queue, from activemq-server/'s
         * target/james-runtime/lib; the mailet jar still comes from {@code extensionsFrom}/extensions-jars.
         */
        public static Flavor activeMqQueue(Path runtime) {
            return new Flavor("org.jamestls.server.ActiveMQMemoryJamesServerMain", runtime,
                "james-server-queue-activemq-3.8.1.jar");
        }
    }

    /**
     * The only differences between config-samples/ and the tests' James: addresses, ports and retry timing.
     * Each must match config-samples/ exactly (start fails otherwise, so the two cannot drift apart).
     * Per-test override files get the same replacements where the text occurs.
     */
    public static final List<Substitution> SUBSTITUTIONS = substitutions(Endpoints.DEFAULT);

    /** {@link #SUBSTITUTIONS} for a James on other addresses and ports. */
    public static List<Substitution> substitutions(Endpoints endpoints) {
        return List.of(
            new Substitution("smtpserver.xml", "<bind>0.0.0.0:25</bind>",
                "<bind>" + endpoints.smtpAddress + ":" + endpoints.smtpPort + "</bind>"),
            new Substitution("dnsservice.xml", "<server>127.0.0.1</server>",
                "<server>" + endpoints.dnsAddress + "</server>"),
            new Substitution("webadmin.properties", "port=8000", "port=" + endpoints.webAdminPort),
            new Substitution("webadmin.properties", "host=127.0.0.1", "host=" + endpoints.webAdminAddress),
            new Substitution("mailetcontainer.xml", "<smtpPort>25</smtpPort>",
                "<smtpPort>" + endpoints.receiverPort + "</smtpPort>"),
            new Substitution("mailetcontainer.xml", "<delayTime>4*5 minutes, 3*1 hour</delayTime>",
                "<delayTime>" + JamesServer.TEST_DELAY_TIME + "</delayTime>"),
            new Substitution("mailetcontainer.xml", "<maxRetries>7</maxRetries>",
                "<maxRetries>" + JamesServer.TEST_MAX_RETRIES + "</maxRetries>"));
    }

    /** Retry schedule in tests: 5 retries 2 seconds apart, so a mail bounces about 10 s after its first try. */
    public static final String TEST_DELAY_TIME = "5*2 seconds";
    public static final int TEST_MAX_RETRIES = 5;


    private static final String MAIN_CLASS = "org.apache.james.MemoryJamesServerMain";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path home;
    private final Path runtime;
    private final Path configSamples;
    private final JamesConfig config;
    private final Flavor flavor;
    private final Endpoints endpoints;
    private final List<Substitution> substitutions;
    private Process process;
    private int launches;

    public JamesServer(Path home, Path runtime, Path configSamples, JamesConfig config) {
        this(home, Flavor.memory(runtime), runtime, configSamples, config, Endpoints.DEFAULT);
    }

    private JamesServer(Path home, Flavor flavor, Path extensionsFrom, Path configSamples, JamesConfig config,
                        Endpoints endpoints) {
        this.home = home.toAbsolutePath();
        this.flavor = flavor;
        this.runtime = extensionsFrom.toAbsolutePath();
        this.configSamples = configSamples.toAbsolutePath();
        this.config = config;
        this.endpoints = endpoints;
        this.substitutions = substitutions(endpoints);
    }

    /**
     * A James of {@code flavor} in {@code home} on {@code endpoints}, with the mailet jar of
     * {@code extensionsFrom}/extensions-jars (the memory runtime's, target/james-runtime).
     */
    public static JamesServer custom(Path home, Flavor flavor, Path extensionsFrom, JamesConfig config,
                                     Endpoints endpoints) {
        return new JamesServer(home, flavor, extensionsFrom, ItPaths.configSamples(), config, endpoints);
    }

    /** James in target/james-home with the runtime and config-samples handed over by failsafe. */
    public static JamesServer withConfig(JamesConfig config) {
        return new JamesServer(ItPaths.jamesHome(), ItPaths.jamesRuntime(), ItPaths.configSamples(), config);
    }

    /** Exit code and log of a James that was expected to refuse to start. */
    public static final class StartupFailure {
        public final int exitCode;
        public final String log;

        StartupFailure(int exitCode, String log) {
            this.exitCode = exitCode;
            this.log = log;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + Processes.tail(log, 40);
        }
    }

    /** Assembles HOME, starts James and waits (bounded) until its SMTP port greets. */
    public synchronized JamesServer start() {
        launch(true);
        return awaitStarted();
    }

    /**
     * Starts James again over the HOME of the previous start as it was left (var/, i.e. the mail queue's store,
     * included), e.g. after {@link #kill()}; the previous console log is kept as logs/console-N.log.
     */
    public synchronized JamesServer restartKeepingHome() {
        if (launches == 0) {
            throw new IllegalStateException("restartKeepingHome() needs an earlier start()");
        }
        try {
            if (Files.exists(consoleLog())) {
                Files.move(consoleLog(), home.resolve("logs/console-" + launches + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the previous console log", e);
        }
        launch(false);
        return awaitStarted();
    }

    /** SIGKILL, like {@code kill -9}: no shutdown hook, no @PreDestroy; returns once the process is gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("James is not running");
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("James (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for James to die", e);
        }
    }

    private JamesServer awaitStarted() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("James exited with status " + process.exitValue()
                    + " during startup. Log tail:\n" + Processes.tail(log(), 60));
            }
            // WebAdmin comes up after SMTP, and tests call it right after start: wait for an HTTP answer (any status)
            if (smtpGreets() && webAdminAnswers()) {
                return this;
            }
            Processes.sleep(Duration.ofMillis(250));
        }
        close();
        throw new IllegalStateException("James did not open SMTP " + smtpAddress() + ":" + smtpPort() + " and WebAdmin "
            + endpoints.webAdminAddress + ":" + endpoints.webAdminPort + " within "
            + START_TIMEOUT + ". Log tail:\n" + Processes.tail(log(), 60));
    }

    /**
     * Starts James expecting it to exit by itself (e.g. "Unable to init mailet" -> exit status 1) within
     * {@code timeout}. Fails if it is still running then (it is killed).
     */
    public synchronized StartupFailure startExpectingFailure(Duration timeout) {
        launch(true);
        boolean[] started = {false};
        boolean exited = Processes.await(timeout, () -> {
            if (!process.isAlive()) {
                return true;
            }
            started[0] = smtpGreets() && process.isAlive();
            return started[0];
        });
        if (!exited || started[0]) {
            String log = log();
            close();
            throw new AssertionError("James was expected to fail to start but "
                + (started[0] ? "it opened its SMTP port" : "is still running after " + timeout) + ". Log tail:\n"
                + Processes.tail(log, 40));
        }
        return new StartupFailure(process.exitValue(), log());
    }

    private void launch(boolean freshHome) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("James is already running");
        }
        Processes.killStale(pidFile(), flavor.mainClass);
        if (Processes.canConnect(smtpAddress(), smtpPort())) {
            throw new IllegalStateException("Something already listens on " + smtpAddress() + ":" + smtpPort());
        }
        if (freshHome) {
            assembleHome();
        }
        launches++;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Xmx512m",
            "-Dworking.directory=" + home,
            "-Dlogback.configurationFile=" + home.resolve("conf/logback.xml"),
            "-cp", flavor.runtime.resolve("lib") + File.separator + "*",
            flavor.mainClass);
        try {
            Files.write(home.resolve("james.cmd"), List.of(String.join(" ", cmd)));
            process = new ProcessBuilder(cmd)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(consoleLog().toFile())
                .start();
            Files.writeString(pidFile(), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start James", e);
        }
    }

    private void assembleHome() {
        Path lib = flavor.runtime.resolve("lib");
        if (!Files.isRegularFile(lib.resolve(flavor.requiredJar))) {
            throw new IllegalStateException("James runtime missing in " + lib
                + " (run through Maven: 'mvn verify' copies it in pre-integration-test, activemq-server's in package)");
        }
        Processes.deleteRecursively(home);
        try {
            Path conf = home.resolve("conf");
            Files.createDirectories(conf);
            Files.createDirectories(home.resolve("logs"));
            Files.createDirectories(home.resolve("extensions-jars"));
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(configSamples)) {
                for (Path f : ds) {
                    if (Files.isRegularFile(f)) {
                        Files.writeString(conf.resolve(f.getFileName().toString()),
                            substitute(f.getFileName().toString(), Files.readString(f), true));
                    }
                }
            }
            for (Map.Entry<String, String> override : config.confFiles().entrySet()) {
                Files.writeString(conf.resolve(override.getKey()), substitute(override.getKey(), override.getValue(),
                    false));
            }
            writeListenerCertificate(conf);
            copyJars(runtime.resolve("extensions-jars"));
            if (config.testVehicle()) {
                Path vehicle = runtime.resolve("test-vehicle-jars");
                if (!Files.isDirectory(vehicle)) {
                    throw new IllegalStateException("No test vehicle jar in " + vehicle
                        + " (run through Maven: 'mvn verify' packs it in pre-integration-test)");
                }
                copyJars(vehicle);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot assemble James home " + home, e);
        }
    }

    /**
     * The sample listener's STARTTLS certificate and key (smtpserver.xml names them; an operator supplies real ones):
     * a fresh self-signed pair, unless the config brings its own, made by scripts/listener-cert.sh as cluster.sh does.
     */
    private void writeListenerCertificate(Path conf) {
        Processes.run(Duration.ofSeconds(30), "bash", ItPaths.listenerCertScript().toString(), conf.toString())
            .requireSuccess("listener-cert.sh " + conf);
    }

    private void copyJars(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path jar : ds) {
                Files.copy(jar, home.resolve("extensions-jars").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private String substitute(String fileName, String text, boolean required) {
        String result = text;
        for (Substitution s : substitutions) {
            if (!s.file.equals(fileName)) {
                continue;
            }
            if (!result.contains(s.from)) {
                if (required) {
                    throw new IllegalStateException("config-samples/" + fileName + " no longer contains '" + s.from
                        + "': update JamesServer.SUBSTITUTIONS together with the sample");
                }
                continue;
            }
            result = result.replace(s.from, s.to);
        }
        return result;
    }

    private boolean webAdminAnswers() {
        if (!Processes.canConnect(endpoints.webAdminAddress, endpoints.webAdminPort)) {
            return false;
        }
        try {
            webAdmin().get("/healthcheck");
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private boolean smtpGreets() {
        try (SmtpConnection c = SmtpConnection.open(smtpAddress(), smtpPort())) {
            c.command("QUIT");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Everything James printed (stdout + stderr) since its last start. */
    public String log() {
        return Processes.readOrEmpty(consoleLog());
    }

    public boolean logContains(String text) {
        return log().contains(text);
    }

    /** Waits (bounded) until a log line matches {@code regex}; returns the first matching line. */
    public String awaitLog(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        String[] found = {null};
        boolean ok = Processes.await(timeout, () -> {
            for (String line : log().split("\n")) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    found[0] = line;
                    return true;
                }
            }
            return false;
        });
        if (!ok) {
            throw new AssertionError("No James log line matched /" + regex + "/ within " + timeout + ". Log tail:\n"
                + Processes.tail(log(), 40));
        }
        return found[0];
    }

    /** Log lines matching {@code regex}. */
    public List<String> logLines(String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> lines = new ArrayList<>();
        for (String line : log().split("\n")) {
            if (p.matcher(line).find()) {
                lines.add(line);
            }
        }
        return lines;
    }

    public Path consoleLog() {
        return home.resolve("logs/console.log");
    }

    public Path home() {
        return home;
    }

    public JamesConfig config() {
        return config;
    }

    public String smtpAddress() {
        return endpoints.smtpAddress;
    }

    public int smtpPort() {
        return endpoints.smtpPort;
    }

    /** The James JVM's process id (for jcmd), while it runs. */
    public synchronized long pid() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("James is not running");
        }
        return process.pid();
    }

    public Optional<Integer> exitCode() {
        return process == null || process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** A submitter talking to this James's SMTP listener. */
    public SmtpSubmitter submitter() {
        return new SmtpSubmitter(smtpAddress(), smtpPort());
    }

    /** A client for this James's webadmin (GET only). */
    public WebAdminClient webAdmin() {
        return new WebAdminClient(endpoints.webAdminAddress, endpoints.webAdminPort);
    }

    private Path pidFile() {
        return home.getParent().resolve(home.getFileName() + ".pid");
    }

    @Override
    public synchronized void close() {
        Processes.stop(process, Duration.ofSeconds(15));
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
