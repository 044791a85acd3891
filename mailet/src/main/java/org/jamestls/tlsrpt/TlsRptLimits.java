package org.jamestls.tlsrpt;

/**
 * Bounds of what the store keeps per report period (one UTC day, or a part of one), so that memory and files stay
 * bounded whatever the traffic. A session that would exceed a bound is dropped and counted (see
 * {@link PeriodSnapshot#droppedSessions()}); a failure whose detail row would exceed one is counted in the summary
 * and its row dropped ({@link PeriodSnapshot#droppedDetails()}). Immutable.
 */
public final class TlsRptLimits {
    /** The defaults: worst case about 8 MiB of text per period; typical traffic stays far below. */
    public static final TlsRptLimits DEFAULT = new TlsRptLimits(10_000, 10, 100, 20_000, 8 * 1024 * 1024, 100, 8 * 1024);

    private final int domainsPerPeriod;
    private final int policiesPerDomain;
    private final int detailsPerDomain;
    private final int detailsPerPeriod;
    private final long charactersPerPeriod;
    private final int stringsPerPolicy;
    private final int charactersPerPolicy;

    public TlsRptLimits(int domainsPerPeriod, int policiesPerDomain, int detailsPerDomain, int detailsPerPeriod,
                        long charactersPerPeriod, int stringsPerPolicy, int charactersPerPolicy) {
        this.domainsPerPeriod = domainsPerPeriod;
        this.policiesPerDomain = policiesPerDomain;
        this.detailsPerDomain = detailsPerDomain;
        this.detailsPerPeriod = detailsPerPeriod;
        this.charactersPerPeriod = charactersPerPeriod;
        this.stringsPerPolicy = stringsPerPolicy;
        this.charactersPerPolicy = charactersPerPolicy;
    }

    /** Policy domains counted in one period (10,000). */
    public int domainsPerPeriod() {
        return domainsPerPeriod;
    }

    /** Distinct policies per policy domain and period (10). */
    public int policiesPerDomain() {
        return policiesPerDomain;
    }

    /** Failure-detail rows per policy domain and period (100). */
    public int detailsPerDomain() {
        return detailsPerDomain;
    }

    /** Failure-detail rows in one period, all domains together (20,000). */
    public int detailsPerPeriod() {
        return detailsPerPeriod;
    }

    /** Characters of policy strings, host names and reason codes kept in one period (8 MiB). */
    public long charactersPerPeriod() {
        return charactersPerPeriod;
    }

    /** Strings of one policy (100); a larger policy is not counted. */
    public int stringsPerPolicy() {
        return stringsPerPolicy;
    }

    /** Characters of one policy (8 KiB); a larger policy is not counted. */
    public int charactersPerPolicy() {
        return charactersPerPolicy;
    }

    @Override
    public String toString() {
        return "domains/period " + domainsPerPeriod + ", policies/domain " + policiesPerDomain + ", details/domain "
            + detailsPerDomain + ", details/period " + detailsPerPeriod + ", characters/period " + charactersPerPeriod
            + ", policy " + stringsPerPolicy + " strings / " + charactersPerPolicy + " characters";
    }
}
