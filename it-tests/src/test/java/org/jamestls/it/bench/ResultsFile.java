package org.jamestls.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * it-tests/benchmark-results.md: a fixed preamble (how to read the tables), then one section per benchmark
 * command, ordered by RTT. A run replaces the section of its own command (same options) and keeps the others, so
 * the file holds e.g. the 0, 20, 50 and 100 ms runs side by side. Sections are delimited by HTML comments
 * ({@code <!-- run rtt=50 command=... -->} ... {@code <!-- end run -->}); anything else in the file is rewritten.
 */
final class ResultsFile {

    private static final Pattern SECTION = Pattern.compile(
        "<!-- run rtt=(\\d+) command=(.*?) -->\\n(.*?)<!-- end run -->\\n", Pattern.DOTALL);

    /** One run's section. */
    private static final class Section {
        final long rttMs;
        final String command;
        final String body;

        Section(long rttMs, String command, String body) {
            this.rttMs = rttMs;
            this.command = command;
            this.body = body;
        }
    }

    private ResultsFile() {
    }

    static void writeSection(Path file, Duration rtt, String command, String markdown) throws IOException {
        List<Section> sections = new ArrayList<>();
        if (Files.exists(file)) {
            Matcher m = SECTION.matcher(Files.readString(file));
            while (m.find()) {
                if (!m.group(2).equals(command)) {
                    sections.add(new Section(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
                }
            }
        }
        sections.add(new Section(rtt.toMillis(), command, markdown.endsWith("\n") ? markdown : markdown + "\n"));
        sections.sort(Comparator.comparingLong((Section s) -> s.rttMs).thenComparing(s -> s.command));
        StringBuilder out = new StringBuilder(PREAMBLE);
        for (Section s : sections) {
            out.append("\n<!-- run rtt=").append(s.rttMs).append(" command=").append(s.command).append(" -->\n")
                .append(s.body).append("<!-- end run -->\n");
        }
        Files.writeString(file, out.toString());
    }

    private static final String PREAMBLE = String.join("\n",
        "# Delivery benchmark results",
        "",
        "Written by `./benchmark.sh` (Maven profile `benchmark` of it-tests, class `org.jamestls.it.bench.DeliveryBenchmark`);",
        "each run replaces the section of its own command and keeps the others, ordered by RTT. What is measured, the",
        "delaying proxy's model, how round trips are counted and what every column means: README.md, section",
        "\"Benchmark\". The machine has 2 cores shared with other developers' builds: each section records the load",
        "average at its start and end, and rates move between runs by far more than a few percent.",
        "",
        "Comparable with the tables before issue 10: only the paths through James of a `-Dbench.proxy=false` run. The",
        "ceiling now pipelines and sends BDAT when the sinks offer them (`-Dbench.pipelining=false",
        "-Dbench.chunking=false -Dbench.proxy=false` is the old instrument).",
        "");
}
