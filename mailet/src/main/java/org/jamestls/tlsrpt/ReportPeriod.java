package org.jamestls.tlsrpt;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The span one report covers: a UTC day {@code [00:00, 24:00)}, or the part of a day before or after an operator's
 * {@code sendNow(includeToday)}, which ends the running period at that moment and starts the next one there, so no
 * session is reported twice. Immutable; periods are told apart by their start.
 */
public final class ReportPeriod implements Comparable<ReportPeriod> {
    private final Instant start;
    private final Instant end;

    ReportPeriod(Instant start, Instant end) {
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("empty period " + start + " - " + end);
        }
        this.start = start.truncatedTo(ChronoUnit.SECONDS);
        this.end = end.truncatedTo(ChronoUnit.SECONDS);
    }

    /** From {@code from} to the next UTC midnight. */
    static ReportPeriod restOfDay(Instant from) {
        return new ReportPeriod(from, nextMidnight(from));
    }

    static Instant nextMidnight(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static Instant midnightBefore(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public Instant start() {
        return start;
    }

    /** Exclusive: the next period (if any) starts here. */
    public Instant end() {
        return end;
    }

    /** The UTC day the period belongs to. */
    public LocalDate day() {
        return LocalDate.ofInstant(start, ZoneOffset.UTC);
    }

    /** Ends at a UTC midnight (a whole day, or the rest of a day that an operator cut). */
    public boolean endsAtMidnight() {
        return end.equals(midnightBefore(end));
    }

    /**
     * The report's {@code end-datetime}: the last second of the day for a period ending at midnight
     * ({@code 23:59:59Z}, as the big report senders write it), else the moment of the cut.
     */
    public Instant reportedEnd() {
        return endsAtMidnight() ? end.minus(Duration.ofSeconds(1)) : end;
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && instant.isBefore(end);
    }

    public boolean isFinishedAt(Instant now) {
        return !now.isBefore(end);
    }

    /** This period cut at {@code at}: the part before it. */
    ReportPeriod endingAt(Instant at) {
        return new ReportPeriod(start, at);
    }

    /** For file names and report ids: {@code 20260501T000000Z}. */
    String compactStart() {
        return start.toString().replace("-", "").replace(":", "");
    }

    @Override
    public int compareTo(ReportPeriod other) {
        return start.compareTo(other.start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReportPeriod && ((ReportPeriod) o).start.equals(start) && ((ReportPeriod) o).end.equals(end);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, end);
    }

    @Override
    public String toString() {
        return start + " - " + end;
    }
}
