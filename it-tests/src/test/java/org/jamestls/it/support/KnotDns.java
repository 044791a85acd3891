package org.jamestls.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jamestls.dane.TlsaRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * A private Knot DNS ({@code knotd}, Debian package {@code knot}) authoritative for the DANE test zones,
 * on {@link #DEFAULT_ADDRESS}:53, with its configuration, zone files, KASP keys and run directory under
 * {@code dir}. Knot signs on the fly ({@code dnssec-signing: on}) with keys it makes at the first start;
 * {@link #start()} then exports the signed zone's DS records as the trust anchor ({@link #trustAnchorFile()}).
 *
 * <pre>
 * dane.test.            signed; its DS is the trust anchor               -> SECURE answers
 * insecure.dane.test.   unsigned child, delegated without DS             -> provably INSECURE
 * bogus.dane.test.      signed child, but the parent's DS matches no key -> BOGUS
 * unsigned.test.        unsigned zone outside the trust anchor           -> INSECURE
 * </pre>
 * Knot answers a DS question from the parent zone when it serves both, so one server can stand for the
 * whole chain and {@code DnssecResolver} can be pointed at it directly (it is authoritative only; the
 * validator asks it the DNSKEY and DS questions too). Record changes ({@link #mx}, {@link #a},
 * {@link #tlsa}, ...) are written and reloaded by {@link #apply()}. TTLs are 1 s.
 */
public final class KnotDns implements AutoCloseable {
    public static final String DEFAULT_ADDRESS = "127.0.0.40";
    public static final int DEFAULT_PORT = 53;

    public static final String SIGNED_ZONE = "dane.test";
    public static final String INSECURE_CHILD = "insecure.dane.test";
    public static final String BOGUS_CHILD = "bogus.dane.test";
    public static final String UNSIGNED_ZONE = "unsigned.test";
    /** Zones served, children before parents so that {@link #zoneOf} finds the most specific. */
    private static final List<String> ZONES = List.of(INSECURE_CHILD, BOGUS_CHILD, SIGNED_ZONE, UNSIGNED_ZONE);
    private static final Set<String> SIGNED = Set.of(SIGNED_ZONE, BOGUS_CHILD);
    /** A DS for the bogus child that matches no key: algorithm 13 (supported, so not "insecure"), SHA-256 of nothing real. */
    private static final String BOGUS_DS = "12345 13 2 " + "00".repeat(32);

    private static final String KNOTD = "/usr/sbin/knotd";
    private static final String KNOTC = "/usr/sbin/knotc";
    private static final String KEYMGR = "/usr/sbin/keymgr";
    private static final int TTL = 1;

    private final Path dir;
    private final String address;
    private final int port;
    /** zone -> extra records (absolute owner, type, rdata) beyond the fixed SOA/NS/delegations */
    private final Map<String, List<String[]>> records = new LinkedHashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private long serial = 1;
    private Process process;

    public KnotDns(Path dir, String address, int port) {
        this.dir = dir.toAbsolutePath();
        this.address = address;
        this.port = port;
        for (String zone : ZONES) {
            records.put(zone, new ArrayList<>());
        }
    }

    /** knotd on 127.0.0.40:53, files under {@code dir}. */
    public static KnotDns onDefaultAddress(Path dir) {
        return new KnotDns(dir, DEFAULT_ADDRESS, DEFAULT_PORT);
    }

    /**
     * Deletes {@code dir} (old keys included), writes configuration and zones, starts knotd, waits until every
     * zone answers and dane.test. is signed, and writes the trust anchor file.
     */
    public synchronized KnotDns start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Processes.killStale(pidFile(), "knotd");
        Processes.deleteRecursively(dir);
        try {
            Files.createDirectories(dir.resolve("zones"));
            Files.createDirectories(dir.resolve("run"));
            Files.writeString(configFile(), config());
            for (String zone : ZONES) {
                writeZone(zone);
            }
            dirty.clear();
            Processes.run(Duration.ofSeconds(20), KNOTC, "-c", configFile().toString(), "conf-check")
                .requireSuccess("knotc conf-check " + configFile());
            process = new ProcessBuilder(KNOTD, "-c", configFile().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(logFile().toString())))
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start knotd", e);
        }
        boolean up = Processes.await(Duration.ofSeconds(20), () -> !process.isAlive()
            || (ZONES.stream().allMatch(z -> servedSerial(z) >= 1) && isSigned(SIGNED_ZONE) && isSigned(BOGUS_CHILD)));
        if (!up || !process.isAlive()) {
            String log = log();
            close();
            throw new IllegalStateException("knotd did not come up on " + address + ":" + port + "\n" + Processes.tail(log, 30));
        }
        exportTrustAnchor();
        return this;
    }

    // ---- zone contents -------------------------------------------------------------------------------

    /** {@code domain MX preference host}. */
    public synchronized KnotDns mx(String domain, String host, int preference) {
        return record(domain, "MX", preference + " " + absolute(host));
    }

    public synchronized KnotDns a(String host, String ipv4) {
        return record(host, "A", ipv4);
    }

    public synchronized KnotDns aaaa(String host, String ipv6) {
        return record(host, "AAAA", ipv6);
    }

    /** {@code _<port>._tcp.<host> TLSA record}. */
    public synchronized KnotDns tlsa(String host, int port, TlsaRecord record) {
        return record("_" + port + "._tcp." + host, "TLSA",
            record.usage() + " " + record.selector() + " " + record.matchingType() + " " + hex(record.data()));
    }

    /** A TLSA record computed from a certificate, e.g. {@code tlsaFor("mx.dane.test", 25, 3, 1, 1, leaf)}. */
    public synchronized KnotDns tlsaFor(String host, int port, int usage, int selector, int matchingType, X509Certificate certificate) {
        return tlsa(host, port, TlsaRecord.forCertificate(usage, selector, matchingType, certificate));
    }

    /** Any record, in presentation format: {@code record("mx.dane.test", "CNAME", "other.dane.test.")}. */
    public synchronized KnotDns record(String owner, String type, String rdata) {
        String zone = zoneOf(owner);
        records.get(zone).add(new String[] {absolute(owner), type.toUpperCase(Locale.ROOT), rdata});
        dirty.add(zone);
        return this;
    }

    /** Removes every record this harness added at {@code owner} (all types). */
    public synchronized KnotDns remove(String owner) {
        String zone = zoneOf(owner);
        records.get(zone).removeIf(r -> r[0].equals(absolute(owner)));
        dirty.add(zone);
        return this;
    }

    /** Writes the changed zones with a new serial, reloads them and waits until knotd serves that serial. */
    public synchronized KnotDns apply() {
        for (String zone : new ArrayList<>(dirty)) {
            writeZone(zone);
            long written = serial;
            Processes.run(Duration.ofSeconds(20), KNOTC, "-c", configFile().toString(), "-b", "zone-reload", absolute(zone))
                .requireSuccess("knotc zone-reload " + zone);
            if (!Processes.await(Duration.ofSeconds(10), () -> servedSerial(zone) >= written)) {
                throw new IllegalStateException("knotd did not load serial " + written + " of " + zone + "\n"
                    + Processes.tail(log(), 20));
            }
        }
        dirty.clear();
        return this;
    }

    // ---- what tests hand to the code under test -------------------------------------------------------

    /** The DS records of dane.test. in zone-file format: the {@code dnssecTrustAnchor} for these zones. */
    public Path trustAnchorFile() {
        return dir.resolve("trust-anchor.zone");
    }

    public String trustAnchorText() {
        return Processes.readOrEmpty(trustAnchorFile());
    }

    /** {@code dnssecResolver} value. */
    public String resolverSpec() {
        return address + ":" + port;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** The zones to forward to this server from dnsmasq, so James's own DNSService sees them too. */
    public DnsRecords.Builder forwardZonesIn(DnsRecords.Builder records) {
        return records.forward(SIGNED_ZONE, address, port).forward(UNSIGNED_ZONE, address, port);
    }

    public String log() {
        return Processes.readOrEmpty(logFile());
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        Processes.stop(process, Duration.ofSeconds(5));
        process = null;
    }

    // ---- internals ------------------------------------------------------------------------------------

    private void exportTrustAnchor() {
        Processes.Result ds = Processes.run(Duration.ofSeconds(20), KEYMGR, "-c", configFile().toString(), absolute(SIGNED_ZONE), "ds")
            .requireSuccess("keymgr " + SIGNED_ZONE + " ds");
        try {
            Files.writeString(trustAnchorFile(), "; DS of " + absolute(SIGNED_ZONE) + " exported by keymgr at test start\n" + ds.output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String config() {
        StringBuilder c = new StringBuilder();
        c.append("# written by KnotDns (it-tests); knotd -c this-file\n")
            .append("server:\n")
            .append("    rundir: \"").append(dir.resolve("run")).append("\"\n")
            .append("    pidfile: \"").append(pidFile()).append("\"\n")
            .append("    listen: ").append(address).append('@').append(port).append('\n')
            .append("database:\n")
            .append("    storage: \"").append(dir).append("\"\n")
            .append("    kasp-db: \"").append(dir.resolve("kasp")).append("\"\n")
            .append("    journal-db: \"").append(dir.resolve("journal")).append("\"\n")
            .append("    timer-db: \"").append(dir.resolve("timer")).append("\"\n")
            .append("log:\n")
            .append("  - target: stderr\n")
            .append("    any: info\n")
            // short-lived keys are pointless here: keys live as long as the directory (one test run)
            .append("policy:\n")
            .append("  - id: test\n")
            .append("    algorithm: ecdsap256sha256\n")
            .append("    nsec3: off\n")
            .append("    ksk-lifetime: 0\n")
            .append("    zsk-lifetime: 0\n")
            .append("    rrsig-lifetime: 14d\n")
            .append("    rrsig-refresh: 7d\n")
            .append("template:\n")
            .append("  - id: default\n")
            .append("    storage: \"").append(dir.resolve("zones")).append("\"\n")
            // the harness owns the zone files: knot must neither rewrite them nor replay a journal over them
            .append("    zonefile-sync: -1\n")
            .append("    zonefile-load: whole\n")
            .append("    journal-content: none\n")
            .append("zone:\n");
        for (String zone : ZONES) {
            c.append("  - domain: ").append(absolute(zone)).append('\n')
                .append("    file: ").append(zone).append(".zone\n");
            if (SIGNED.contains(zone)) {
                c.append("    dnssec-signing: on\n")
                    .append("    dnssec-policy: test\n");
            }
        }
        return c.toString();
    }

    private void writeZone(String zone) {
        serial++;
        String origin = absolute(zone);
        StringBuilder z = new StringBuilder()
            .append("$ORIGIN ").append(origin).append('\n')
            .append("$TTL ").append(TTL).append('\n')
            .append("@ SOA ns.dane.test. hostmaster.dane.test. ").append(serial).append(" 3600 600 86400 1\n")
            .append("@ NS ns.dane.test.\n");
        if (zone.equals(SIGNED_ZONE)) {
            z.append("ns A ").append(address).append('\n')
                .append("insecure NS ns.dane.test.\n")
                .append("bogus NS ns.dane.test.\n")
                .append("bogus DS ").append(BOGUS_DS).append('\n');
        }
        for (String[] r : records.get(zone)) {
            z.append(r[0]).append(' ').append(r[1]).append(' ').append(r[2]).append('\n');
        }
        try {
            Files.writeString(dir.resolve("zones").resolve(zone + ".zone"), z.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String zoneOf(String owner) {
        String name = relativeLower(owner);
        for (String zone : ZONES) {
            if (name.equals(zone) || name.endsWith("." + zone)) {
                return zone;
            }
        }
        throw new IllegalArgumentException(owner + " is in none of the zones served: " + ZONES);
    }

    /** The SOA serial knotd serves for {@code zone}, -1 when it does not answer. */
    private long servedSerial(String zone) {
        try {
            Message m = query(absolute(zone), Type.SOA, false);
            for (Record r : m.getSection(Section.ANSWER)) {
                if (r instanceof SOARecord) {
                    return ((SOARecord) r).getSerial();
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private boolean isSigned(String zone) {
        try {
            return query(absolute(zone), Type.DNSKEY, true).getSection(Section.ANSWER).stream()
                .anyMatch(r -> r.getType() == Type.RRSIG);
        } catch (IOException e) {
            return false;
        }
    }

    private Message query(String name, int type, boolean dnssec) throws IOException {
        SimpleResolver r = new SimpleResolver(socketAddress());
        r.setTimeout(Duration.ofMillis(500));
        if (dnssec) {
            r.setEDNS(0, 0, ExtendedFlags.DO);
        }
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    private Path configFile() {
        return dir.resolve("knot.conf");
    }

    private Path pidFile() {
        return dir.resolve("run").resolve("knot.pid");
    }

    private Path logFile() {
        return dir.resolve("knotd.log");
    }

    private static String absolute(String name) {
        return relativeLower(name) + ".";
    }

    private static String relativeLower(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }
}
