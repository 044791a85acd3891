package org.jamestls.it.bench;

/**
 * CPU time (user + system) that James, the sink and this benchmark JVM (submitter or ceiling client) used
 * during a phase, from {@link ProcessHandle.Info#totalCpuDuration()} (/proc on Linux).
 */
final class CpuTime {

    final double james;
    final double sink;
    final double bench;

    private CpuTime(double james, double sink, double bench) {
        this.james = james;
        this.sink = sink;
        this.bench = bench;
    }

    static CpuTime now(long jamesPid, long sinkPid) {
        return new CpuTime(seconds(jamesPid), seconds(sinkPid), seconds(ProcessHandle.current().pid()));
    }

    /** CPU seconds used since {@code start}. */
    CpuTime since(CpuTime start) {
        return new CpuTime(james - start.james, sink - start.sink, bench - start.bench);
    }

    private static double seconds(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
            .orElse(Double.NaN);
    }
}
