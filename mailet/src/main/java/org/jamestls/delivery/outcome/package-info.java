/**
 * What delivery produces and reports, as immutable values: failures and their kinds, per-recipient and
 * per-connection results, the result of one delivery run, the MX addresses tried, how each was secured
 * ({@link org.jamestls.delivery.outcome.MxSecurity}), and the one place that words them for operators: the
 * log lines ({@link org.jamestls.delivery.outcome.AttemptLog}), the outcome attributes and the metrics.
 * The bottom of the delivery packages: it depends on {@code policy} and {@code smtp} only.
 */
package org.jamestls.delivery.outcome;
