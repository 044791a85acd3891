package org.jamestls.it.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jamestls.it.support.Processes;

/** The JDK's {@code jcmd PID COMMAND...} against James or the sink JVM (heap figures, flight recordings). */
final class Jcmd {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Jcmd() {
    }

    /** jcmd's output; a non-zero exit fails (jcmd exits 0 on some failed commands: callers check the output). */
    static String run(long pid, String... command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        return Processes.run(TIMEOUT, cmd.toArray(String[]::new))
            .requireSuccess("jcmd " + pid + " " + String.join(" ", command)).output;
    }
}
