package org.jamestls.it.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

import org.jamestls.it.support.Processes;

/** Where and on what the benchmark ran, for the results file. */
final class MachineInfo {

    final String date;
    final String cpu;
    final int cores;
    final String memory;
    final String loadAverage;
    final String jdk;
    final String os;
    final String code;

    private MachineInfo(Path repository) {
        date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        cpu = firstValue(Processes.readOrEmpty(Path.of("/proc/cpuinfo")), "model name");
        cores = Runtime.getRuntime().availableProcessors();
        String memKb = firstValue(Processes.readOrEmpty(Path.of("/proc/meminfo")), "MemTotal").replace("kB", "").trim();
        memory = memKb.matches("\\d+") ? String.format("%.1f GiB", Long.parseLong(memKb) / 1024.0 / 1024.0) : "unknown";
        loadAverage = loadAverageNow();
        jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch");
        code = gitState(repository);
    }

    static MachineInfo collect(Path repository) {
        return new MachineInfo(repository);
    }

    /** The 1, 5 and 15 minute load averages (/proc/loadavg). */
    static String loadAverageNow() {
        String load = Processes.readOrEmpty(Path.of("/proc/loadavg")).trim();
        return load.isEmpty() ? "unknown" : String.join(" ", Arrays.asList(load.split(" ")).subList(0, 3));
    }

    private static String firstValue(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key)) {
                int colon = line.indexOf(':');
                return colon < 0 ? "" : line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    private static String gitState(Path repository) {
        try {
            Processes.Result head = Processes.run(Duration.ofSeconds(10), "git", "-C", repository.toString(),
                "rev-parse", "--short", "HEAD");
            if (head.exitCode != 0) {
                return "unknown (not a git checkout)";
            }
            Processes.Result status = Processes.run(Duration.ofSeconds(10), "git", "-C", repository.toString(),
                "status", "--porcelain", "--", "mailet", "pom.xml");
            return "commit " + head.output.trim()
                + (status.output.isBlank() ? "" : " with uncommitted changes in mailet/ or pom.xml");
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
