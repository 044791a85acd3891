package org.jamestls.it.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The benchmark's knobs, from system properties (Maven {@code -Dbench.*}; README, section Benchmark). Immutable; a
 * bad value stops the run at once with the property, the value and what is allowed.
 */
final class BenchSettings {

    static final int DEFAULT_MAILS = 1000;
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_SUBMITTERS = 8;
    static final int DEFAULT_DOMAINS = 10;
    static final int DEFAULT_MX_ADDRESSES = 10;
    /** Sessions of the ceiling client; 4, like the delivery threads every path is given. */
    static final int DEFAULT_CEILING_SESSIONS = 4;
    static final int MAX_MX_ADDRESSES = 250;

    final int mails;
    /** Mails per path before measuring. */
    final int warmup;
    final int submitters;
    final int rounds;
    final Duration rtt;
    /** false: the sinks listen on the MX addresses themselves (no proxy, no round-trip counts; rtt must be 0). */
    final boolean proxy;
    final boolean pipelining;
    final boolean chunking;
    final int domains;
    final int mxAddresses;
    final Set<BenchPath> paths;
    final int ceilingSessions;
    /** Parameters given to both TlsRemoteDelivery mailets on top of the benchmark's mailetcontainer.xml. */
    final Map<String, String> ours;
    final int dnsTtlSeconds;
    final Path resultsFile;
    final Path vehicleJar;
    /** -Dbench.jfr=DIR: a flight recording of James and the sinks per measured phase ({@link FlightRecordings}). */
    final Optional<Path> jfrDir;

    private BenchSettings() {
        mails = positive("bench.mails", DEFAULT_MAILS);
        int w = integer("bench.warmup", -1);
        warmup = w < 0 ? mails : w;
        submitters = positive("bench.submitters", DEFAULT_SUBMITTERS);
        rounds = positive("bench.rounds", DEFAULT_ROUNDS);
        int rttMs = integer("bench.rtt", 0);
        require(rttMs >= 0 && rttMs <= 10_000, "bench.rtt", rttMs, "0..10000 (milliseconds)");
        rtt = Duration.ofMillis(rttMs);
        proxy = bool("bench.proxy", true);
        require(proxy || rttMs == 0, "bench.proxy", false, "true when bench.rtt > 0 (the proxy makes the RTT)");
        pipelining = bool("bench.pipelining", true);
        chunking = bool("bench.chunking", true);
        domains = positive("bench.domains", DEFAULT_DOMAINS);
        mxAddresses = positive("bench.mxAddresses", DEFAULT_MX_ADDRESSES);
        require(mxAddresses <= MAX_MX_ADDRESSES && mxAddresses <= domains, "bench.mxAddresses", mxAddresses,
            "1.." + Math.min(MAX_MX_ADDRESSES, domains) + " (at most bench.domains, at most 127.0.1.1-250)");
        paths = paths(text("bench.paths", ""));
        ceilingSessions = positive("bench.ceilingSessions", DEFAULT_CEILING_SESSIONS);
        ours = parameters(text("bench.ours", ""));
        dnsTtlSeconds = integer("bench.dnsTtl", 300);
        resultsFile = Path.of(text("bench.results.file", "benchmark-results.md"));
        vehicleJar = Path.of(text("bench.vehicle.jar", "target/bench-vehicle.jar"));
        String jfr = text("bench.jfr", "");
        jfrDir = jfr.isEmpty() ? Optional.empty() : Optional.of(Path.of(jfr).toAbsolutePath());
    }

    static BenchSettings fromSystemProperties() {
        return new BenchSettings();
    }

    boolean runs(BenchPath path) {
        return paths.contains(path);
    }

    /** The command line that reproduces this run (defaults left out). */
    String command() {
        StringBuilder c = new StringBuilder("./benchmark.sh");
        option(c, "bench.rtt", rtt.toMillis(), 0);
        option(c, "bench.proxy", proxy, true);
        option(c, "bench.domains", domains, DEFAULT_DOMAINS);
        option(c, "bench.mxAddresses", mxAddresses, DEFAULT_MX_ADDRESSES);
        option(c, "bench.mails", mails, DEFAULT_MAILS);
        option(c, "bench.warmup", warmup, mails);
        option(c, "bench.rounds", rounds, DEFAULT_ROUNDS);
        option(c, "bench.submitters", submitters, DEFAULT_SUBMITTERS);
        option(c, "bench.pipelining", pipelining, true);
        option(c, "bench.chunking", chunking, true);
        option(c, "bench.ceilingSessions", ceilingSessions, DEFAULT_CEILING_SESSIONS);
        if (!paths.equals(EnumSet.allOf(BenchPath.class))) {
            List<String> names = new ArrayList<>();
            paths.forEach(p -> names.add(p.id));
            c.append(" -Dbench.paths=").append(String.join(",", names));
        }
        if (!ours.isEmpty()) {
            List<String> kv = new ArrayList<>();
            ours.forEach((k, v) -> kv.add(k + "=" + v));
            c.append(" '-Dbench.ours=").append(String.join(";", kv)).append('\'');
        }
        option(c, "bench.dnsTtl", dnsTtlSeconds, 300);
        // a profiled run is not comparable with an unprofiled one: its own section of the results file
        jfrDir.ifPresent(d -> c.append(" -Dbench.jfr=DIR"));
        return c.toString();
    }

    Duration timeout(int n) {
        // at high RTT a lock-step path needs about 10 RTT per mail and session
        return Duration.ofSeconds(120 + n / 2).plus(rtt.multipliedBy(n * 10L / 4));
    }

    private static void option(StringBuilder c, String name, Object value, Object defaultValue) {
        if (!String.valueOf(value).equals(String.valueOf(defaultValue))) {
            c.append(" -D").append(name).append('=').append(value);
        }
    }

    private static Set<BenchPath> paths(String list) {
        if (list.isBlank()) {
            return Collections.unmodifiableSet(EnumSet.allOf(BenchPath.class));
        }
        Set<BenchPath> chosen = EnumSet.noneOf(BenchPath.class);
        for (String name : list.split(",")) {
            chosen.add(BenchPath.byId(name.trim().toLowerCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
                "-Dbench.paths: unknown path '" + name.trim() + "'; allowed: " + BenchPath.ids())));
        }
        return Collections.unmodifiableSet(chosen);
    }

    /** {@code name=value;name=value}: mailet parameters for both TlsRemoteDelivery mailets. */
    private static Map<String, String> parameters(String text) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (text.isBlank()) {
            return Collections.unmodifiableMap(parameters);
        }
        for (String pair : text.split(";")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            require(name.matches("[A-Za-z][A-Za-z0-9.]*") && !value.contains("<") && !value.contains("&"),
                "bench.ours", pair, "name=value pairs separated by ';' (a mailet parameter name, a value without < or &)");
            parameters.put(name, value);
        }
        return Collections.unmodifiableMap(parameters);
    }

    private static String text(String name, String defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    private static int integer(String name, int defaultValue) {
        String v = text(name, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + v + ": not a whole number");
        }
    }

    private static int positive(String name, int defaultValue) {
        int v = integer(name, defaultValue);
        require(v > 0, name, v, "a number above 0");
        return v;
    }

    private static boolean bool(String name, boolean defaultValue) {
        String v = text(name, null);
        if (v == null) {
            return defaultValue;
        }
        require(v.equals("true") || v.equals("false"), name, v, "true or false");
        return Boolean.parseBoolean(v);
    }

    private static void require(boolean ok, String name, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException("-D" + name + "=" + value + ": allowed is " + allowed);
        }
    }
}
