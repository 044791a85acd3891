package org.jamestls.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A real Postfix ({@code postfix -c DIR start}) playing the remote MX hosts: one instance with its own
 * config, queue and data directories, and one smtpd listener per {@link ReceiverListener}, each on its own
 * loopback address and the same port, each with its own {@code myhostname} and {@link TlsMode}, and optionally
 * its own certificate and extra smtpd options ({@link ReceiverListener#withCertificate},
 * {@link ReceiverListener#withSmtpdOption}; otherwise a shared self-signed certificate made by openssl).
 *
 * <p>Every listener accepts mail for any domain and stores it in one Maildir ({@code maildir/all/new});
 * {@link ReceivedMessage#recipient()} (Delivered-To) tells whose copy a file is. On every listener,
 * recipients whose local part starts with {@code reject} get {@code 550 5.1.1} and those starting with
 * {@code tempfail} get {@code 451 4.3.0}, {@code full} get {@code 452 4.2.2} and {@code quota} get
 * {@code 552 5.2.2} at RCPT time.
 *
 * <p>Postfix's own log is {@link #logFile()} (maillog_file, no syslog needed).
 */
public final class PostfixReceivers implements AutoCloseable {

    /**
     * A cleanup service without message_size_limit (cleanup enforces the limit too, so an smtpd option alone
     * cannot lift it): a listener takes mail of any size with {@code -o message_size_limit=0
     * -o cleanup_service_name=}this.
     */
    public static final String UNLIMITED_CLEANUP = "cleanup-unlimited";
    private static final String POSTFIX = "/usr/sbin/postfix";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String BROKEN_TLS_PROTOCOLS = "!SSLv2,!SSLv3,!TLSv1.1,!TLSv1.2,!TLSv1.3";

    private final Path base;
    private final Map<String, ReceiverListener> listeners = new LinkedHashMap<>();
    private final Map<String, TlsMode> modes = new HashMap<>();
    private final Map<String, String> listenerByHostname = new HashMap<>();
    private final Map<Path, ReceivedMessage> parsed = new HashMap<>();
    private boolean running;

    private PostfixReceivers(Path base, List<ReceiverListener> listeners) {
        this.base = base.toAbsolutePath();
        for (ReceiverListener l : listeners) {
            if (this.listeners.put(l.name(), l) != null) {
                throw new IllegalArgumentException("Duplicate listener " + l.name());
            }
            modes.put(l.name(), l.initialMode());
            listenerByHostname.put(l.myhostname(), l.name());
        }
    }

    public static Builder builder(Path baseDir) {
        return new Builder(baseDir);
    }

    public static final class Builder {
        private final Path base;
        private final List<ReceiverListener> listeners = new ArrayList<>();
        private int port = TestNetwork.RECEIVER_PORT;

        private Builder(Path base) {
            this.base = base;
        }

        /** Port for listeners added after this call (default {@link TestNetwork#RECEIVER_PORT}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder listener(String name, String ip, TlsMode mode) {
            return listener(name, ip, mode, UnaryOperator.identity());
        }

        /**
         * A listener with its own settings, e.g.
         * {@code listener("rx-x", "127.0.0.30", STARTTLS, l -> l.withCertificate(chain, key))}.
         */
        public Builder listener(String name, String ip, TlsMode mode, UnaryOperator<ReceiverListener> customize) {
            listeners.add(customize.apply(new ReceiverListener(name, ip, port, mode)));
            return this;
        }

        public PostfixReceivers build() {
            return new PostfixReceivers(base, listeners);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Writes the configuration, starts Postfix and waits (bounded) until every listener shows its mode. */
    public synchronized PostfixReceivers start() {
        if (running) {
            return this;
        }
        stopStale();
        Processes.deleteRecursively(base);
        try {
            for (String d : List.of("conf", "queue", "data", "maildir", "log")) {
                Files.createDirectories(base.resolve(d));
            }
            chownToPostfix(base.resolve("data"));
            chownToPostfix(base.resolve("maildir"));
            makeCertificate();
            write("conf/main.cf", mainCf());
            write("conf/master.cf", masterCf());
            write("conf/recipient_access.regexp",
                "/^reject[^@]*@/\t550 5.1.1 Recipient rejected by test receiver\n"
                    + "/^tempfail[^@]*@/\t451 4.3.0 Temporary failure from test receiver\n"
                    + "/^full[^@]*@/\t452 4.2.2 Mailbox full at test receiver\n"
                    + "/^quota[^@]*@/\t552 5.2.2 Mailbox over quota at test receiver\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Postfix in " + base, e);
        }
        postfix("check");
        postfix("start");
        running = true;
        for (ReceiverListener l : listeners.values()) {
            awaitMode(l.name(), l.readyMode(), Duration.ofSeconds(30));
        }
        return this;
    }

    /**
     * Switches a listener's mode at runtime: rewrites master.cf, {@code postfix reload}, and waits until every
     * smtpd process of that listener started before the reload has exited (until then a new connection, or a session
     * James keeps open, may still meet the old mode) and a JDK client observes the new behaviour.
     */
    public synchronized void setMode(String listenerName, TlsMode mode) {
        listener(listenerName);
        if (modes.get(listenerName) == mode) {
            return;
        }
        modes.put(listenerName, mode);
        try {
            write("conf/master.cf", masterCf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<Long> before = smtpdProcesses(listener(listenerName));
        postfix("reload");
        Duration timeout = Duration.ofSeconds(30);
        if (!Processes.await(timeout, () -> smtpdProcesses(listener(listenerName)).stream().noneMatch(before::contains))) {
            throw new IllegalStateException("smtpd processes " + before + " of " + listener(listenerName)
                + " still run " + timeout + " after postfix reload\nPostfix log tail:\n" + Processes.tail(log(), 30));
        }
        awaitMode(listenerName, mode, timeout);
    }

    /** The smtpd processes master runs for {@code listener} (master names the service, ip:port, after -n). */
    private Set<Long> smtpdProcesses(ReceiverListener listener) {
        String service = "-n " + listener.ip() + ":" + listener.port() + " ";
        return masterPid().flatMap(ProcessHandle::of).map(master -> master.children()
                .filter(child -> Processes.commandLine(child).contains(service))
                .map(ProcessHandle::pid).collect(Collectors.toSet()))
            .orElse(Set.of());
    }

    public synchronized TlsMode mode(String listenerName) {
        listener(listenerName);
        return modes.get(listenerName);
    }

    public ReceiverListener listener(String name) {
        ReceiverListener l = listeners.get(name);
        if (l == null) {
            throw new IllegalArgumentException("No listener " + name + "; known: " + listeners.keySet());
        }
        return l;
    }

    public List<ReceiverListener> listeners() {
        return new ArrayList<>(listeners.values());
    }

    /** Probes a listener with a JDK client (EHLO, STARTTLS, handshake). */
    public SmtpProbe.Result probe(String listenerName) throws IOException {
        return SmtpProbe.probe(listener(listenerName));
    }

    private void awaitMode(String name, TlsMode mode, Duration timeout) {
        ReceiverListener l = listener(name);
        Object[] last = {"nothing yet"};
        boolean ok = Processes.await(timeout, () -> {
            try {
                SmtpProbe.Result r = SmtpProbe.probe(l);
                last[0] = r;
                return r.observedMode() == mode;
            } catch (IOException e) {
                last[0] = e;
                return false;
            }
        });
        if (!ok) {
            throw new IllegalStateException("Listener " + l + " did not reach mode " + mode + " within " + timeout
                + "; last probe: " + last[0] + "\nPostfix log tail:\n" + Processes.tail(log(), 30));
        }
    }

    @Override
    public synchronized void close() {
        if (Files.exists(base.resolve("conf/main.cf"))) {
            Processes.run(COMMAND_TIMEOUT, POSTFIX, "-c", base.resolve("conf").toString(), "stop");
        }
        Processes.await(Duration.ofSeconds(10), () -> masterPid().flatMap(ProcessHandle::of)
            .map(ProcessHandle::isAlive).orElse(false) == false);
        Processes.killStale(masterPidFile(), "master");
        running = false;
    }

    // ------------------------------------------------------------------ messages

    /** All messages stored so far (one per recipient), oldest first. */
    public synchronized List<ReceivedMessage> messages() {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir().resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // Maildir names start with the delivery time in seconds: sorting by name is sorting by arrival.
        Collections.sort(files);
        parsed.keySet().retainAll(files);
        List<ReceivedMessage> result = new ArrayList<>();
        for (Path f : files) {
            ReceivedMessage m = parsed.get(f);
            if (m == null) {
                try {
                    m = new ReceivedMessage(f, new String(Files.readAllBytes(f), StandardCharsets.UTF_8),
                        listenerByHostname);
                } catch (IOException e) {
                    continue; // moved or deleted meanwhile
                }
                parsed.put(f, m);
            }
            result.add(m);
        }
        return result;
    }

    /** Messages whose Subject or Message-ID contains {@code fragment}. */
    public List<ReceivedMessage> messagesMatching(String fragment) {
        return filter(m -> m.matches(fragment));
    }

    /** Copies delivered to {@code recipient} (envelope recipient, case-insensitive). */
    public List<ReceivedMessage> messagesFor(String recipient) {
        String r = recipient.toLowerCase(Locale.ROOT);
        return filter(m -> m.recipient().equals(r));
    }

    /** Messages received by the given listener. */
    public List<ReceivedMessage> messagesReceivedBy(String listenerName) {
        return filter(m -> m.receiverName().equals(listenerName));
    }

    public int countMessages() {
        return messages().size();
    }

    public int countMessagesFor(String recipient) {
        return messagesFor(recipient).size();
    }

    public int countMatching(String fragment) {
        return messagesMatching(fragment).size();
    }

    /**
     * Waits (bounded) for a message whose Subject or Message-ID contains {@code fragment}; returns the first.
     * Fails with the list of messages present and Postfix's log tail.
     */
    public ReceivedMessage awaitMessage(String fragment, Duration timeout) {
        return awaitMessages(fragment, 1, timeout).get(0);
    }

    /** Waits (bounded) until at least {@code count} messages (copies) match {@code fragment}. */
    public List<ReceivedMessage> awaitMessages(String fragment, int count, Duration timeout) {
        List<List<ReceivedMessage>> found = new ArrayList<>();
        found.add(List.of());
        boolean ok = Processes.await(timeout, () -> {
            found.set(0, messagesMatching(fragment));
            return found.get(0).size() >= count;
        });
        if (!ok) {
            throw new AssertionError("Expected " + count + " message(s) matching '" + fragment + "' within "
                + timeout + ", found " + found.get(0).size() + ". All messages: " + describe(messages())
                + "\nPostfix log tail:\n" + Processes.tail(log(), 25));
        }
        return found.get(0);
    }

    /** Waits (bounded) until {@code recipient} has at least {@code count} messages. */
    public List<ReceivedMessage> awaitMessagesFor(String recipient, int count, Duration timeout) {
        boolean ok = Processes.await(timeout, () -> countMessagesFor(recipient) >= count);
        if (!ok) {
            throw new AssertionError("Expected " + count + " message(s) for " + recipient + " within " + timeout
                + ". All messages: " + describe(messages()) + "\nPostfix log tail:\n" + Processes.tail(log(), 25));
        }
        return messagesFor(recipient);
    }

    /**
     * Watches for {@code window}: fails as soon as a message matching {@code fragment} arrives.
     * Use it to prove a delivery did NOT happen (e.g. TLS required but impossible).
     */
    public void assertNoMessage(String fragment, Duration window) {
        boolean arrived = Processes.await(window, () -> countMatching(fragment) > 0);
        if (arrived) {
            throw new AssertionError("A message matching '" + fragment + "' arrived although none was expected: "
                + describe(messagesMatching(fragment)));
        }
    }

    /** Deletes every stored message (Postfix keeps running). */
    public synchronized void clearMailbox() {
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir().resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path f : ds) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        parsed.clear();
    }

    /** Postfix's log (all listeners; lines are prefixed with the listener's myhostname). */
    public String log() {
        return Processes.readOrEmpty(logFile());
    }

    public Path logFile() {
        return base.resolve("log/postfix.log");
    }

    public Path maildir() {
        return base.resolve("maildir/all");
    }

    private static String describe(List<ReceivedMessage> ms) {
        return ms.stream().map(ReceivedMessage::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    private List<ReceivedMessage> filter(Predicate<ReceivedMessage> p) {
        return messages().stream().filter(p).collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ configuration

    private String mainCf() {
        Map<String, String> c = new TreeMap<>();
        String b = base.toString();
        c.put("compatibility_level", "3.6");
        c.put("config_directory", b + "/conf");
        c.put("queue_directory", b + "/queue");
        c.put("data_directory", b + "/data");
        c.put("mail_owner", "postfix");
        c.put("setgid_group", "postdrop");
        c.put("inet_protocols", "ipv4");
        c.put("inet_interfaces", "loopback-only");
        c.put("myhostname", "receivers.test");
        c.put("mydomain", "receivers.test");
        c.put("myorigin", "receivers.test");
        c.put("mydestination", "");
        c.put("local_recipient_maps", "");
        c.put("relay_domains", "");
        c.put("mynetworks", "127.0.0.0/8");
        c.put("biff", "no");
        c.put("append_dot_mydomain", "no");
        c.put("smtputf8_enable", "no");
        c.put("maillog_file", b + "/log/postfix.log");
        c.put("maillog_file_prefixes", b);
        // Every domain is a virtual mailbox domain; every address goes to one Maildir (regexp tables may not
        // build paths from the address for security reasons, so Delivered-To tells the recipient).
        c.put("virtual_mailbox_domains", "static:all");
        c.put("virtual_mailbox_base", b + "/maildir");
        c.put("virtual_mailbox_maps", "static:all/");
        c.put("virtual_uid_maps", "static:" + idOf("-u"));
        c.put("virtual_gid_maps", "static:" + idOf("-g"));
        c.put("virtual_minimum_uid", "1");
        // Nothing ever leaves this Postfix.
        c.put("default_transport", "error:outbound mail is disabled in the test receivers");
        c.put("relay_transport", "error:outbound mail is disabled in the test receivers");
        c.put("notify_classes", "");
        c.put("smtpd_banner", "$myhostname ESMTP test receiver");
        c.put("smtpd_peername_lookup", "no");
        c.put("smtpd_error_sleep_time", "0");
        c.put("smtpd_soft_error_limit", "1000");
        c.put("smtpd_hard_error_limit", "1000");
        c.put("in_flow_delay", "0");
        c.put("smtpd_relay_restrictions", "permit_mynetworks, permit_auth_destination, reject");
        c.put("smtpd_recipient_restrictions",
            "check_recipient_access regexp:" + b + "/conf/recipient_access.regexp, permit");
        c.put("smtpd_tls_received_header", "yes");
        c.put("smtpd_tls_cert_file", b + "/conf/cert.pem");
        c.put("smtpd_tls_key_file", b + "/conf/key.pem");
        c.put("smtpd_tls_loglevel", "1");
        c.put("smtpd_tls_security_level", "none");
        StringBuilder sb = new StringBuilder("# Generated by org.jamestls.it.support.PostfixReceivers\n");
        c.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    private String masterCf() {
        StringBuilder sb = new StringBuilder("# Generated by org.jamestls.it.support.PostfixReceivers\n");
        for (ReceiverListener l : listeners.values()) {
            sb.append(l.ip()).append(':').append(l.port()).append(" inet n - n - - smtpd");
            smtpdOptions(l).forEach((k, v) -> sb.append(" -o ").append(k).append('=').append(v));
            sb.append('\n');
        }
        sb.append(String.join("\n",
            "pickup    unix  n       -       n       60      1       pickup",
            "cleanup   unix  n       -       n       -       0       cleanup",
            UNLIMITED_CLEANUP + " unix n -   n       -       0       cleanup -o message_size_limit=0",
            "qmgr      unix  n       -       n       300     1       qmgr",
            "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
            "rewrite   unix  -       -       n       -       -       trivial-rewrite",
            "bounce    unix  -       -       n       -       0       bounce",
            "defer     unix  -       -       n       -       0       bounce",
            "trace     unix  -       -       n       -       0       bounce",
            "verify    unix  -       -       n       -       1       verify",
            "flush     unix  n       -       n       1000?   0       flush",
            "proxymap  unix  -       -       n       -       -       proxymap",
            "proxywrite unix -       -       n       -       1       proxymap",
            "smtp      unix  -       -       n       -       -       smtp",
            "relay     unix  -       -       n       -       -       smtp",
            "showq     unix  n       -       n       -       -       showq",
            "error     unix  -       -       n       -       -       error",
            "retry     unix  -       -       n       -       -       error",
            "discard   unix  -       -       n       -       -       discard",
            "virtual   unix  -       n       n       -       -       virtual",
            "anvil     unix  -       -       n       -       1       anvil",
            "scache    unix  -       -       n       -       1       scache",
            "postlog   unix-dgram n  -       n       -       1       postlogd",
            ""));
        return sb.toString();
    }

    /** The listener's -o options: its name, its current mode's, its certificate's, then its own extra ones. */
    private Map<String, String> smtpdOptions(ReceiverListener l) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("myhostname", l.myhostname());
        switch (modes.get(l.name())) {
            case STARTTLS:
                o.put("smtpd_tls_security_level", "may");
                break;
            case NO_STARTTLS:
                o.put("smtpd_tls_security_level", "none");
                break;
            case BROKEN_TLS:
                o.put("smtpd_tls_security_level", "may");
                o.put("smtpd_tls_protocols", BROKEN_TLS_PROTOCOLS);
                o.put("smtpd_tls_mandatory_protocols", BROKEN_TLS_PROTOCOLS);
                break;
            default:
                throw new IllegalStateException();
        }
        l.certificateChain().ifPresent(chain -> o.put("smtpd_tls_cert_file", chain.toString()));
        l.certificateKey().ifPresent(key -> o.put("smtpd_tls_key_file", key.toString()));
        o.putAll(l.smtpdOptions());
        return o;
    }

    private void makeCertificate() {
        Processes.run(COMMAND_TIMEOUT, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3",
            "-subj", "/CN=receivers.test",
            "-keyout", base.resolve("conf/key.pem").toString(),
            "-out", base.resolve("conf/cert.pem").toString())
            .requireSuccess("openssl req (receiver certificate)");
    }

    private void postfix(String command) {
        Processes.Result r = Processes.run(COMMAND_TIMEOUT, POSTFIX, "-c", base.resolve("conf").toString(), command);
        if (r.exitCode != 0) {
            throw new IllegalStateException("postfix " + command + " failed (exit " + r.exitCode + "): " + r.output
                + "\nPostfix log tail:\n" + Processes.tail(log(), 30));
        }
    }

    /** A Postfix left running by a crashed earlier run with the same directory. */
    private void stopStale() {
        if (Files.exists(base.resolve("conf/main.cf"))) {
            Processes.run(COMMAND_TIMEOUT, POSTFIX, "-c", base.resolve("conf").toString(), "stop");
        }
        Processes.killStale(masterPidFile(), "master");
    }

    private Path masterPidFile() {
        return base.resolve("queue/pid/master.pid");
    }

    private Optional<Long> masterPid() {
        return Processes.readPid(masterPidFile());
    }

    private static String idOf(String flag) {
        return Processes.run(COMMAND_TIMEOUT, "id", flag, "postfix").requireSuccess("id " + flag + " postfix")
            .output.trim();
    }

    private static void chownToPostfix(Path p) throws IOException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName("postfix");
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("postfix");
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private void write(String relative, String content) throws IOException {
        Files.write(base.resolve(relative), content.getBytes(StandardCharsets.UTF_8));
    }
}
