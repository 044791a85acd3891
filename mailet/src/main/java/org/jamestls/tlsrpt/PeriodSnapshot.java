package org.jamestls.tlsrpt;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A period's counts at one moment, by policy domain (sorted), with what the limits dropped. Immutable. */
public final class PeriodSnapshot {
    private final ReportPeriod period;
    private final boolean running;
    private final Map<String, DomainSnapshot> domains;
    private final long droppedSessions;
    private final long droppedDetails;

    PeriodSnapshot(ReportPeriod period, boolean running, Map<String, DomainSnapshot> domains, long droppedSessions,
                   long droppedDetails) {
        this.period = period;
        this.running = running;
        this.domains = Collections.unmodifiableMap(new TreeMap<>(domains));
        this.droppedSessions = droppedSessions;
        this.droppedDetails = droppedDetails;
    }

    public ReportPeriod period() {
        return period;
    }

    /** The period still counting (today's). */
    public boolean isRunning() {
        return running;
    }

    public Map<String, DomainSnapshot> domains() {
        return domains;
    }

    public Optional<DomainSnapshot> domain(String policyDomain) {
        return Optional.ofNullable(domains.get(policyDomain));
    }

    /** Sessions not counted at all: a new domain or policy or the text over a {@link TlsRptLimits} bound. */
    public long droppedSessions() {
        return droppedSessions;
    }

    /** Failed sessions counted in their policy's summary whose failure-details row was not kept. */
    public long droppedDetails() {
        return droppedDetails;
    }
}
