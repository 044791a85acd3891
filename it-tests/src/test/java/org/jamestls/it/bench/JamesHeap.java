package org.jamestls.it.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** James's heap use through {@code jcmd <pid> GC.heap_info}: as found, and after a full GC ({@code GC.run}). */
final class JamesHeap {

    /** Heap in use, MB: as found right after the phase, and after a full GC (the live set). */
    static final class Usage {
        final double usedMb;
        final double liveMb;

        Usage(double usedMb, double liveMb) {
            this.usedMb = usedMb;
            this.liveMb = liveMb;
        }
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private JamesHeap() {
    }

    static Usage measure(long pid) {
        double used = usedMb(pid);
        Jcmd.run(pid, "GC.run");
        return new Usage(used, usedMb(pid));
    }

    /** The first "used NK" of GC.heap_info: the whole heap for G1 (the JDK 17 default here). */
    private static double usedMb(long pid) {
        String out = Jcmd.run(pid, "GC.heap_info");
        Matcher m = USED.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("Unexpected jcmd GC.heap_info output:\n" + out);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }
}
