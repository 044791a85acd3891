package org.jamestls.tlsrpt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One policy's counts in one period: the {@code policies[]} entry of a report. Immutable. */
public final class PolicySnapshot {
    private final ReportedPolicy policy;
    private final long successfulSessions;
    private final long failedSessions;
    private final Map<FailureDetail, Long> failureDetails;

    PolicySnapshot(ReportedPolicy policy, long successfulSessions, long failedSessions,
                   Map<FailureDetail, Long> failureDetails) {
        this.policy = policy;
        this.successfulSessions = successfulSessions;
        this.failedSessions = failedSessions;
        this.failureDetails = Collections.unmodifiableMap(new LinkedHashMap<>(failureDetails));
    }

    public ReportedPolicy policy() {
        return policy;
    }

    /** {@code total-successful-session-count}. */
    public long successfulSessions() {
        return successfulSessions;
    }

    /** {@code total-failure-session-count}: every failed session, also those whose detail row was dropped. */
    public long failedSessions() {
        return failedSessions;
    }

    /** The {@code failure-details} rows with their {@code failed-session-count}, in the order first seen. */
    public Map<FailureDetail, Long> failureDetails() {
        return failureDetails;
    }
}
