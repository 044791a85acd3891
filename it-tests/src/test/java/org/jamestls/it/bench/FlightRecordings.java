package org.jamestls.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code -Dbench.jfr=DIR}: a JDK Flight Recorder recording of James and of the sink JVM for each phase (warm-ups
 * too: the recorder's own start-up, about a second of CPU, then falls into the first warm-up),
 * over the same span as the phase's CPU figures (drain: from the release), started and stopped with
 * {@code jcmd PID JFR.start / JFR.stop}, written to {@code DIR/<phase>-james.jfr} and {@code DIR/<phase>-sink.jfr}.
 * Settings: the JDK's {@code profile} plus {@code bench/bench-profile.jfc} (CPU samples every 2 ms, every socket
 * read and write, so TLS records per mail can be counted). Without the option nothing is recorded. A profiled run's
 * CPU figures include the recorder's own cost: compare paths within one run.
 */
final class FlightRecordings {
    /** One phase's recordings; {@link #stop()} writes them. */
    interface Recording {
        void stop();
    }

    private static final Recording NONE = () -> { };

    private final Optional<Path> dir;
    private Path settingsFile;

    FlightRecordings(Optional<Path> dir) {
        this.dir = dir;
    }

    /** Starts a recording named after {@code phase} in James and in the sink JVM. */
    Recording start(String phase, long jamesPid, long sinkPid) {
        if (dir.isEmpty()) {
            return NONE;
        }
        String overrides = "settings=" + settingsFile();
        List<Runnable> stops = new ArrayList<>();
        for (Map.Entry<String, Long> jvm : Map.of("james", jamesPid, "sink", sinkPid).entrySet()) {
            long pid = jvm.getValue();
            String recording = "bench-" + phase;
            Path file = dir.get().resolve(phase + "-" + jvm.getKey() + ".jfr");
            jcmd(pid, "Started recording", "JFR.start", "name=" + recording, "settings=profile", overrides);
            stops.add(() -> jcmd(pid, "Stopped recording", "JFR.stop", "name=" + recording, "filename=" + file));
        }
        return () -> stops.forEach(Runnable::run);
    }

    private synchronized Path settingsFile() {
        if (settingsFile == null) {
            try (InputStream in = FlightRecordings.class.getResourceAsStream("/bench/bench-profile.jfc")) {
                Files.createDirectories(dir.get());
                settingsFile = dir.get().resolve("bench-profile.jfc").toAbsolutePath();
                Files.copy(in, settingsFile, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the JFR settings into " + dir.get(), e);
            }
        }
        return settingsFile;
    }

    /** jcmd exits 0 when a JFR command fails, so its answer must say {@code expected}. */
    private static void jcmd(long pid, String expected, String... command) {
        String output = Jcmd.run(pid, command);
        if (!output.contains(expected)) {
            throw new IllegalStateException("jcmd " + pid + " " + String.join(" ", command) + " failed:\n" + output);
        }
    }
}
