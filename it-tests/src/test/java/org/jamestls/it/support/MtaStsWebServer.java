package org.jamestls.it.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jamestls.it.support.CertificateAuthority.Purpose;
import org.jamestls.it.support.PemFiles.KeyFormat;

/**
 * A real nginx serving {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} for any number of domains, all on
 * one address ({@link TestNetwork#MTA_STS_ADDRESS}:443 by default) and told apart by SNI. Private instance: its
 * config, pid file, logs, certificates and policy files live under {@code dir}; the distribution's nginx service is
 * never used. Each host gets its own certificate from the run's {@link TestCertificates} CA (or, on request, one
 * for the wrong name or from the untrusted "Other CA"). An unknown host name gets a default server whose
 * certificate names {@code mta-sts.default.invalid} and which answers 404.
 * <p>
 * Changing a known domain's policy only rewrites its file (atomically); adding a domain or changing its
 * certificate rewrites the config and reloads nginx. Either way the call returns once nginx serves the change
 * (bounded wait): after a reload, once every worker of the old configuration has exited (until then a new
 * connection may still reach one and get the old certificate), and once the host presents the certificate just
 * issued for it and answers as expected.
 * <p>
 * The same nginx also plays TLS report collectors (RFC 8460 section 5.4, {@link #acceptReports}): an HTTPS host on an
 * address of its own that keeps each request body in a file ({@code client_body_in_file_only}) and answers 200. nginx
 * only keeps a body it has read, and reads it only for a handler that takes one: the location proxies to a server on
 * a unix socket of the same nginx that answers {@code 200} ({@code return 200} alone would discard the body unread).
 * An access log per collector names each request's method, URI, content type, body file and status.
 */
public final class MtaStsWebServer implements AutoCloseable {

    /** The certificate a policy host presents. */
    public enum HostCertificate {
        /** Issued by the test CA for {@code mta-sts.<domain>}. */
        VALID,
        /** Issued by the test CA, but for {@code wrong-name.invalid}. */
        WRONG_NAME,
        /** For {@code mta-sts.<domain>}, but issued by the untrusted "Other CA". */
        UNTRUSTED_CA
    }

    private static final String NGINX = "/usr/sbin/nginx";
    private static final String DEFAULT_HOST = "mta-sts.default.invalid";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CERT_LIFETIME = Duration.ofDays(30);

    private final Path dir;
    private final String address;
    private final int port;
    private final TestCertificates certificates;
    /** domain -> certificate kind; the domains with a server block. */
    private final Map<String, HostCertificate> hosts = new TreeMap<>();
    /** TLS report collector host -> the address it listens on (port {@link #port()}). */
    private final Map<String, String> collectors = new TreeMap<>();
    private Process process;

    public MtaStsWebServer(Path dir, String address, int port, TestCertificates certificates) {
        this.dir = dir.toAbsolutePath();
        this.address = address;
        this.port = port;
        this.certificates = certificates;
    }

    /** nginx on 127.0.0.30:443 with its files under {@code dir}. */
    public static MtaStsWebServer onDefaultAddress(Path dir, TestCertificates certificates) {
        return new MtaStsWebServer(dir, TestNetwork.MTA_STS_ADDRESS, TestNetwork.MTA_STS_PORT, certificates);
    }

    /** Starts nginx (no domains yet) and waits, bounded, until it accepts connections. */
    public synchronized MtaStsWebServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(dir.resolve("certs"));
            Files.createDirectories(dir.resolve("www"));
            Processes.killStale(pidFile(), "nginx");
            Files.deleteIfExists(pidFile());
            Files.deleteIfExists(ackSocket()); // a killed nginx leaves it, and a new one cannot bind it then
            issue(DEFAULT_HOST, DEFAULT_HOST, HostCertificate.VALID);
            writeConfig();
            check();
            process = new ProcessBuilder(NGINX, "-p", dir.toString(), "-c", configFile().toString(),
                "-e", errorLogFile().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.resolve("nginx.out").toString())))
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start nginx", e);
        }
        // a worker answers HTTPS (the listening socket alone accepts before any worker runs)
        boolean up = Processes.await(START_TIMEOUT, () -> !process.isAlive() || answers(DEFAULT_HOST, 404));
        if (!up || !process.isAlive()) {
            String out = Processes.readOrEmpty(dir.resolve("nginx.out"));
            close();
            throw new IllegalStateException("nginx did not come up on " + address + ":" + port + "\n"
                + Processes.tail(out, 20) + "\n" + Processes.tail(errorLog(), 20));
        }
        return this;
    }

    /** Serves {@code policy} for {@code domain} with a valid certificate. */
    public void publish(String domain, String policy) {
        publish(domain, policy, HostCertificate.VALID);
    }

    /** Serves {@code policy} (written byte for byte) at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    public synchronized void publish(String domain, String policy, HostCertificate certificate) {
        String d = domain.toLowerCase(Locale.ROOT);
        writePolicy(d, policy);
        if (hosts.get(d) != certificate) {
            issue(d, "mta-sts." + d, certificate);
            hosts.put(d, certificate);
            reload();
        }
        awaitServing(d, 200, policy, leaf(d));
    }

    /** Deletes the domain's policy file: its host still answers, with 404. */
    public synchronized void remove(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        try {
            Files.deleteIfExists(policyFile(d));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (hosts.containsKey(d)) {
            awaitServing(d, 404, null, leaf(d));
        }
    }

    /** What a collector logged about one request, and the body it kept. */
    public static final class CollectedRequest {
        public final String method;
        public final String uri;
        public final String contentType;
        public final int status;
        public final byte[] body;

        CollectedRequest(String method, String uri, String contentType, int status, byte[] body) {
            this.method = method;
            this.uri = uri;
            this.contentType = contentType;
            this.status = status;
            this.body = body;
        }
    }

    /**
     * Makes {@code host} a TLS report collector on {@code listenAddress}:{@link #port()} (certificate from the test CA
     * for {@code host}): every request is answered 200 and its body kept; returns once the host answers. What an
     * earlier nginx collected for {@code host} is deleted first.
     */
    public synchronized void acceptReports(String host, String listenAddress) {
        String h = host.toLowerCase(Locale.ROOT);
        if (!listenAddress.equals(collectors.get(h))) {
            try {
                // what an earlier run collected (the directory outlives the nginx) is not this run's
                Processes.deleteRecursively(bodiesDir(h));
                Files.deleteIfExists(collectorLog(h));
                Files.createDirectories(bodiesDir(h));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            issue(h, h, HostCertificate.VALID);
            collectors.put(h, listenAddress);
            reload();
        }
        String[] last = {"nothing yet"};
        boolean ok = Processes.await(CHANGE_TIMEOUT, () -> {
            try {
                last[0] = request(listenAddress, h, "GET /ping HTTP/1.1\r\nHost: " + h + "\r\nConnection: close\r\n\r\n")
                    .response;
                return last[0].startsWith("HTTP/1.1 200 ");
            } catch (IOException e) {
                last[0] = e.toString();
                return false;
            }
        });
        if (!ok) {
            throw new IllegalStateException("nginx did not answer for collector " + h + " on " + listenAddress
                + " within " + CHANGE_TIMEOUT + "; last answer:\n" + Processes.tail(last[0], 10) + "\n"
                + Processes.tail(errorLog(), 10));
        }
    }

    /** The requests {@code host} collected so far, oldest first (GETs have no body: an empty array). */
    public synchronized List<CollectedRequest> collected(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        List<CollectedRequest> requests = new java.util.ArrayList<>();
        for (String line : Processes.readOrEmpty(collectorLog(h)).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 5) {
                continue;
            }
            try {
                byte[] body = f[3].equals("-") ? new byte[0] : Files.readAllBytes(Path.of(f[3]));
                requests.add(new CollectedRequest(f[0], f[1], f[2], Integer.parseInt(f[4]), body));
            } catch (IOException e) {
                throw new UncheckedIOException("nginx logged a body file it did not keep: " + line, e);
            }
        }
        return requests;
    }

    private Path bodiesDir(String host) {
        return dir.resolve("collected").resolve(host);
    }

    private Path collectorLog(String host) {
        return dir.resolve("collector-" + host + ".log");
    }

    private Path ackSocket() {
        return dir.resolve("tmp").resolve("ack.sock");
    }

    /** {@code mta-sts.<domain>}: the name to point at {@link #address()} in DNS. */
    public static String policyHost(String domain) {
        return "mta-sts." + domain.toLowerCase(Locale.ROOT);
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The CA that issued the VALID and WRONG_NAME certificates (a tlsCa bundle for the fetcher). */
    public Path caPem() {
        return certificates.caPem();
    }

    public String errorLog() {
        return Processes.readOrEmpty(errorLogFile());
    }

    public String accessLog() {
        return Processes.readOrEmpty(dir.resolve("access.log"));
    }

    private void writePolicy(String domain, String policy) {
        Path file = policyFile(domain);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "policy", ".tmp");
            Files.write(temporary, policy.getBytes(StandardCharsets.UTF_8));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the policy of " + domain, e);
        }
    }

    private Path policyFile(String domain) {
        return dir.resolve("www").resolve(domain).resolve(".well-known").resolve("mta-sts.txt");
    }

    /** Writes certs/<name>-chain.pem and certs/<name>-key.pem for the host serving {@code name}. */
    private void issue(String name, String host, HostCertificate kind) {
        boolean untrusted = kind == HostCertificate.UNTRUSTED_CA;
        CertificateAuthority ca = untrusted
            ? CertificateAuthority.load(certificates.otherCaPem(), certificates.otherCaKeyPem())
            : CertificateAuthority.load(certificates.caPem(), certificates.caKeyPem());
        String subject = kind == HostCertificate.WRONG_NAME ? "wrong-name.invalid" : host;
        KeyPair keys = CertificateAuthority.ecP256KeyPair();
        Instant now = Instant.now();
        X509Certificate leaf = ca.issue(subject, List.of(subject), keys.getPublic(), now.minus(Duration.ofDays(1)),
            now.plus(CERT_LIFETIME), Purpose.SERVER);
        PemFiles.writeCertificates(chainFile(name), leaf, ca.certificate());
        PemFiles.writeKey(keyFile(name), keys, KeyFormat.PKCS8);
    }

    private Path chainFile(String name) {
        return dir.resolve("certs").resolve(name + "-chain.pem");
    }

    private Path keyFile(String name) {
        return dir.resolve("certs").resolve(name + "-key.pem");
    }

    private void writeConfig() {
        String listen = "        listen " + address + ":" + port + " ssl";
        StringBuilder c = new StringBuilder()
            .append("# Written by MtaStsWebServer; rewritten on every change.\n")
            .append("daemon off;\nmaster_process on;\nworker_processes 1;\n")
            .append("pid ").append(pidFile()).append(";\n")
            .append("error_log ").append(errorLogFile()).append(" info;\n");
        if ("root".equals(System.getProperty("user.name"))) {
            // workers read the policy files under the build directory, which need not be readable by nobody
            c.append("user root;\n");
        }
        c.append("events {\n    worker_connections 64;\n}\n")
            .append("http {\n")
            .append("    access_log ").append(dir.resolve("access.log")).append(";\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            c.append("    ").append(temp).append("_temp_path ").append(dir.resolve("tmp").resolve(temp)).append(";\n");
        }
        // method, URI, content type, body file, status: one line per request a collector took
        c.append("    log_format collected '$request_method $uri $content_type $request_body_file $status';\n");
        c.append("    server_tokens off;\n")
            .append("    ssl_protocols TLSv1.2 TLSv1.3;\n")
            .append("    types { }\n")
            .append("    default_type application/octet-stream;\n")
            .append("    server {\n").append(listen).append(" default_server;\n")
            .append("        server_name _;\n")
            .append("        ssl_certificate ").append(chainFile(DEFAULT_HOST)).append(";\n")
            .append("        ssl_certificate_key ").append(keyFile(DEFAULT_HOST)).append(";\n")
            .append("        return 404;\n")
            .append("    }\n");
        for (String domain : hosts.keySet()) {
            c.append("    server {\n").append(listen).append(";\n")
                .append("        server_name ").append(policyHost(domain)).append(";\n")
                .append("        ssl_certificate ").append(chainFile(domain)).append(";\n")
                .append("        ssl_certificate_key ").append(keyFile(domain)).append(";\n")
                .append("        root ").append(dir.resolve("www").resolve(domain)).append(";\n")
                .append("        location = /.well-known/mta-sts.txt {\n")
                .append("            default_type text/plain;\n")
                .append("        }\n")
                .append("        location / {\n            return 404;\n        }\n")
                .append("    }\n");
        }
        appendCollectors(c);
        c.append("}\n");
        try {
            Files.writeString(configFile(), c.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The collector hosts and the unix-socket server that acknowledges what they proxy to it. */
    private void appendCollectors(StringBuilder c) {
        if (collectors.isEmpty()) {
            return;
        }
        c.append("    server {\n        listen unix:").append(ackSocket()).append(";\n")
            .append("        location / {\n            return 200 \"stored\\n\";\n        }\n    }\n");
        collectors.forEach((host, listenAddress) -> c.append("    server {\n")
            .append("        listen ").append(listenAddress).append(":").append(port).append(" ssl;\n")
            .append("        server_name ").append(host).append(";\n")
            .append("        ssl_certificate ").append(chainFile(host)).append(";\n")
            .append("        ssl_certificate_key ").append(keyFile(host)).append(";\n")
            .append("        access_log ").append(collectorLog(host)).append(" collected;\n")
            .append("        location / {\n")
            .append("            client_body_in_file_only on;\n")
            .append("            client_body_temp_path ").append(bodiesDir(host)).append(";\n")
            .append("            client_max_body_size 10m;\n")
            .append("            proxy_pass http://unix:").append(ackSocket()).append(":/;\n")
            .append("        }\n    }\n"));
    }

    /** nginx -t: a config error fails here with nginx's message, not later as a silently ignored reload. */
    private void check() {
        Processes.run(Duration.ofSeconds(15), NGINX, "-t", "-q", "-p", dir.toString(), "-c", configFile().toString(),
            "-e", errorLogFile().toString()).requireSuccess("nginx -t");
    }

    private void reload() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("nginx is not running (start() first)");
        }
        writeConfig();
        check();
        Set<Long> oldWorkers = workers();
        // SIGHUP to the master: new workers with the new config, old ones finish gracefully.
        Processes.run(Duration.ofSeconds(10), "kill", "-HUP", Long.toString(process.pid())).requireSuccess("kill -HUP");
        boolean reloaded = Processes.await(CHANGE_TIMEOUT, () -> {
            Set<Long> now = workers();
            return !now.isEmpty() && now.stream().noneMatch(oldWorkers::contains);
        });
        if (!reloaded) {
            throw new IllegalStateException("nginx did not replace its workers " + oldWorkers + " within " + CHANGE_TIMEOUT
                + " after a reload (now " + workers() + ")\n" + Processes.tail(errorLog(), 10));
        }
    }

    /** The master's worker processes. */
    private Set<Long> workers() {
        return process.toHandle().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
            .collect(Collectors.toSet());
    }

    /**
     * Polls over HTTPS (SNI = the policy host, any certificate accepted) until the host presents {@code certificate}
     * and answers as expected.
     */
    private void awaitServing(String domain, int status, String body, X509Certificate certificate) {
        String[] last = {"nothing yet"};
        boolean ok = Processes.await(CHANGE_TIMEOUT, () -> {
            try {
                Served served = get(policyHost(domain));
                last[0] = served.response + "\n(certificate " + served.certificate.getSubjectX500Principal() + ")";
                return served.certificate.equals(certificate) && served.response.startsWith("HTTP/1.1 " + status + " ")
                    && (body == null || served.response.endsWith("\r\n\r\n" + body));
            } catch (IOException e) {
                last[0] = e.toString();
                return false;
            }
        });
        if (!ok) {
            throw new IllegalStateException("nginx did not serve " + status + " for " + policyHost(domain) + " with "
                + certificate.getSubjectX500Principal() + " within " + CHANGE_TIMEOUT + "; last answer:\n"
                + Processes.tail(last[0], 10) + "\n" + Processes.tail(errorLog(), 10));
        }
    }

    private boolean answers(String host, int status) {
        try {
            return get(host).response.startsWith("HTTP/1.1 " + status + " ");
        } catch (IOException e) {
            return false;
        }
    }

    /** The certificate issued for {@code domain}'s host (first in its chain file). */
    private X509Certificate leaf(String domain) {
        return PemFiles.readCertificate(chainFile(domain));
    }

    /** What one request got: the raw response and the certificate the server presented. */
    private static final class Served {
        final String response;
        final X509Certificate certificate;

        Served(String response, X509Certificate certificate) {
            this.response = response;
            this.certificate = certificate;
        }
    }

    /** The raw response to GET /.well-known/mta-sts.txt. */
    private Served get(String host) throws IOException {
        return request(address, host, "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host
            + "\r\nConnection: close\r\n\r\n");
    }

    /** What {@code request} sent over HTTPS to {@code ip} with SNI {@code host} got (any certificate accepted). */
    private Served request(String ip, String host, String request) throws IOException {
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress(ip, port), 2000);
            tcp.setSoTimeout(5000);
            SSLSocket tls = (SSLSocket) TrustAll.context().getSocketFactory().createSocket(tcp, host, port, false);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            tls.setSSLParameters(parameters);
            OutputStream out = tls.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = tls.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Served(response, (X509Certificate) tls.getSession().getPeerCertificates()[0]);
        }
    }

    private Path configFile() {
        return dir.resolve("nginx.conf");
    }

    private Path pidFile() {
        return dir.resolve("nginx.pid");
    }

    private Path errorLogFile() {
        return dir.resolve("error.log");
    }

    @Override
    public synchronized void close() {
        Processes.stop(process, Duration.ofSeconds(5));
        process = null;
        hosts.clear();
        collectors.clear();
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
