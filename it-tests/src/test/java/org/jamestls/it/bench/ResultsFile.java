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
        "each run replaces the section of its own command and keeps the others. What is measured and how: README.md,",
        "section \"Benchmark\". The machine has 2 cores shared with other developers' builds: every section records the",
        "load average, and figures move between runs by more than the differences of a few percent.",
        "",
        "How to read a section:",
        "",
        "- Each row is the path's median round by mails/s; \"mails/s per round\" lists every round (rounds run the paths",
        "  in turn). Ratios use the median rounds, the handshake target and \"worst round\" the worst round.",
        "- mails/s: mails / window; window = first 250 James gave to a submitted mail (ceiling: the client's start; drain:",
        "  the release of the held queue) to the last 250 a sink gave.",
        "- p50/p99/max: per mail, James's 250 to the sink's 250 (queueing in James included); ceiling: the client",
        "  beginning the transaction to the sink's 250, connection setup included; drain: the release to the sink's 250.",
        "- longest pause: the longest time between two consecutive mails arriving at the sinks.",
        "- TLS handshakes: STARTTLS handshakes the sinks completed, full + resumed; connections: TCP connections the",
        "  sinks accepted.",
        "- James heap: `jcmd GC.heap_info` right after the phase, and (live) after `jcmd GC.run`.",
        "- James accepted in: first to last 250 James gave the submitter (lock-step, no pipelining); for a drain path the",
        "  time it took to fill the queue (not part of the window).",
        "- CPU s: CPU time (user + system) of James, of the sink JVM (in brackets the delaying proxy's thread, which runs",
        "  inside it) and of the benchmark JVM (submitter, or the ceiling client) during the phase (drain: from the",
        "  release); all share the 2 CPUs.",
        "- round trips/mail: round trips the clients waited for, counted at the proxy (a run of client bytes followed by",
        "  server bytes; the greeting counts), over all sessions of the phase, / mails: connection setup and QUIT",
        "  included (the QUIT of sessions still pooled at the end of the phase is not).",
        "- per mail on reused sessions: round trips from one MAIL FROM to the next on the same session (the sinks read",
        "  the proxy's count at each MAIL), averaged: what a mail costs once the session is up. \"-\" when no session",
        "  carried two mails (stock RemoteDelivery opens one per mail).",
        "- setup per session: round trips before a session's first MAIL (greeting, EHLO, STARTTLS, TLS handshake, EHLO).",
        "- sessions opened, max open at once: at the proxy (clients' TCP connections; idle pooled sessions count as open).",
        "- round-trip bound: max open at once / (round trips per mail x RTT), the rate those sessions could carry if",
        "  waiting for the RTT were the only cost; rate/bound: how close the path gets to it. \"-\" at RTT 0.",
        "- pipelined commands: commands the sinks read before they had sent the replies to earlier ones; BDAT mails:",
        "  mails sent with CHUNKING; post-dot groups: transactions whose first command came right behind the previous",
        "  message's end.",
        "- Comparable with the tables of earlier versions of this file (before issue 10): the direct run",
        "  (`-Dbench.proxy=false`, no round-trip columns) for the paths through James. The ceiling row is not: the",
        "  ceiling client now pipelines and uses BDAT when the sinks offer them (earlier it was lock-step, and the sinks",
        "  offered neither); `-Dbench.pipelining=false -Dbench.chunking=false -Dbench.proxy=false` is the old instrument.",
        "");
}
