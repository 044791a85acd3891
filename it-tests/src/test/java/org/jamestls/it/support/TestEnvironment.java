package org.jamestls.it.support;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real parts shared by every IT class of a Maven run (see {@link SharedEnvironment}): one dnsmasq, one
 * Postfix with the {@link TestNetwork} listeners, and at most one James at a time.
 *
 * <p>The {@link TestCertificates} are generated first; Postfix includes the {@link CertificateReceivers}.
 *
 * <p>dnsmasq initially serves one A record per listener ("rx-tls-1.receivers.test" -> 127.0.0.11, ...);
 * each test class declares the records of its own domains in a {@link TestDns} field, and a test that changes
 * records while it runs uses {@code env.dns().update(r -> r.removeTxt(...).mtaSts(...))}.
 *
 * <p>dnsmasq and Postfix start when the environment is created. James starts on the first
 * {@link #james(JamesConfig)} call and keeps running for later callers asking for an equal config; a
 * different config restarts it (so group ITs by config).
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: still honoured by JUnit 5.14, AutoCloseable too
public final class TestEnvironment implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final DnsServer dns;
    private final TestCertificates certificates;
    private final PostfixReceivers receivers;
    private final Path work;
    private JamesServer james;
    private KnotDns knot;
    private MtaStsWebServer mtaStsWeb;
    private boolean closed;
    private final Thread shutdownHook = new Thread(this::close, "it-environment-shutdown");

    TestEnvironment() {
        work = ItPaths.workDir();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        certificates = TestCertificates.generate(work.resolve("certs"));
        PostfixReceivers.Builder listeners = PostfixReceivers.builder(work.resolve("pf"))
            .listener(TestNetwork.RX_TLS_1, TestNetwork.RX_TLS_1_IP, TlsMode.STARTTLS)
            .listener(TestNetwork.RX_TLS_2, TestNetwork.RX_TLS_2_IP, TlsMode.STARTTLS)
            .listener(TestNetwork.RX_PLAIN, TestNetwork.RX_PLAIN_IP, TlsMode.NO_STARTTLS)
            .listener(TestNetwork.RX_BROKEN, TestNetwork.RX_BROKEN_IP, TlsMode.BROKEN_TLS)
            .listener(TestNetwork.RX_SWITCHABLE, TestNetwork.RX_SWITCHABLE_IP, TlsMode.NO_STARTTLS)
            .listener(TestNetwork.RX_PLAIN_2, TestNetwork.RX_PLAIN_2_IP, TlsMode.NO_STARTTLS)
            .listener(TestNetwork.RX_NO8BIT, TestNetwork.RX_NO8BIT_IP, TlsMode.NO_STARTTLS,
                l -> l.withSmtpdOption("smtpd_discard_ehlo_keywords", "8bitmime"))
            .listener(TestNetwork.RX_SIZE10M, TestNetwork.RX_SIZE10M_IP, TlsMode.NO_STARTTLS,
                l -> l.withSmtpdOption("message_size_limit", Long.toString(TestNetwork.RX_SIZE10M_LIMIT)))
            .listener(TestNetwork.RX_NOLIMIT, TestNetwork.RX_NOLIMIT_IP, TlsMode.NO_STARTTLS,
                l -> l.withSmtpdOption("message_size_limit", "0")
                    .withSmtpdOption("cleanup_service_name", PostfixReceivers.UNLIMITED_CLEANUP));
        receivers = CertificateReceivers.addTo(listeners, certificates)
            .port(TestNetwork.RX_PORT25_PORT)
            .listener(TestNetwork.RX_PORT25, TestNetwork.RX_PORT25_IP, TlsMode.STARTTLS)
            .build()
            .start();
        // Every listener's myhostname resolves to its address; tests add MX records pointing at them.
        DnsRecords.Builder records = DnsRecords.builder();
        for (ReceiverListener l : receivers.listeners()) {
            records.a(l.myhostname(), l.ip());
        }
        dns = DnsServer.onDefaultAddress(work.resolve("dns"), records.build()).start();
    }

    public DnsServer dns() {
        return dns;
    }

    /** The run's test CA, server and client certificates (target/it-work/certs). */
    public TestCertificates certificates() {
        return certificates;
    }

    public PostfixReceivers receivers() {
        return receivers;
    }

    /**
     * The DNSSEC-signed zones (Knot on 127.0.0.40:53), started on first use with fresh keys; dnsmasq then
     * forwards their names to it, so James's own DNSService finds their MX and A records too.
     */
    public synchronized KnotDns knot() {
        if (knot == null) {
            knot = KnotDns.onDefaultAddress(work.resolve("knot")).start();
            dns.update(records -> knot.forwardZonesIn(records));
        }
        return knot;
    }

    /** The HTTPS server of the mta-sts.&lt;domain&gt; hosts (nginx on 127.0.0.30:443), started on first use. */
    public synchronized MtaStsWebServer mtaStsWeb() {
        if (mtaStsWeb == null) {
            mtaStsWeb = MtaStsWebServer.onDefaultAddress(work.resolve("mta-sts-web"), certificates).start();
        }
        return mtaStsWeb;
    }

    /** The running James if its config equals {@code config}, else (re)starts James with it. */
    public synchronized JamesServer james(JamesConfig config) {
        if (james != null && james.isRunning() && james.config().equals(config)) {
            return james;
        }
        stopJames();
        james = JamesServer.withConfig(config).start();
        return james;
    }

    /**
     * Starts a James with {@code config} expecting it to refuse to start (stops any running one first;
     * the next {@link #james(JamesConfig)} starts a fresh one).
     */
    public synchronized JamesServer.StartupFailure jamesExpectingStartupFailure(JamesConfig config,
        Duration timeout) {
        stopJames();
        JamesServer failing = JamesServer.withConfig(config);
        try {
            return failing.startExpectingFailure(timeout);
        } finally {
            failing.close();
        }
    }

    public synchronized void stopJames() {
        if (james != null) {
            james.close();
            james = null;
        }
    }

    /** A submitter for James's SMTP listener (whichever James runs). */
    public SmtpSubmitter submitter() {
        return new SmtpSubmitter(TestNetwork.JAMES_SMTP_ADDRESS, TestNetwork.JAMES_SMTP_PORT);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopJames();
        } finally {
            try {
                receivers.close();
            } finally {
                if (dns != null) {
                    dns.close();
                }
                if (knot != null) {
                    knot.close();
                }
                if (mtaStsWeb != null) {
                    mtaStsWeb.close();
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // called from the hook itself
        }
    }
}
