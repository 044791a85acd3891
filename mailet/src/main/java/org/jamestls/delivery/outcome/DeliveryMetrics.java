package org.jamestls.delivery.outcome;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

/**
 * Counters and timers in James's MetricFactory (visible over JMX and WebAdmin's /metrics), named
 * {@code jamestls_<what>_<tls level>_<outcome>} so they can be summed either way.
 */
public class DeliveryMetrics {
    private final MetricFactory metricFactory;

    public DeliveryMetrics(MetricFactory metricFactory) {
        this.metricFactory = metricFactory;
    }

    /** One connection attempt; outcome is tls, plaintext or a failure label such as starttls-missing. */
    public void attempt(String level, String outcome) {
        count("jamestls_attempts_" + level + "_" + outcome);
    }

    /** One connection attempt by the mechanism that secured it: policy, mta-sts or dane. */
    public void mechanism(String mechanism, String outcome) {
        count("jamestls_mechanism_" + mechanism.replace('-', '_') + "_" + outcome);
    }

    public void delivered(String level, String channel, int recipients) {
        metricFactory.generate(name("jamestls_delivered_" + level + "_" + channel)).add(recipients);
    }

    public void deferred(String level, String reason) {
        count("jamestls_deferred_" + level + "_" + reason);
    }

    public void bounced(String level, String reason) {
        count("jamestls_bounced_" + level + "_" + reason);
    }

    /** One transaction whose final dot got no reply (timeout or lost connection): the receiver may have the mail. */
    public void ambiguousAfterDot() {
        count("jamestls_ambiguous_after_dot");
    }

    /** One attempt retried on a new connection because the reused session had been closed by the receiver while idle. */
    public void staleSessionRetry() {
        count("jamestls_stale_session_retries");
    }

    /** One SMTP session opened (connected, greeted, EHLO and, as planned, STARTTLS done) by the session pool. */
    public void sessionOpened() {
        count("jamestls_sessions_opened");
    }

    /**
     * One delivery that found its destination's sessions all busy and waited for one to be given back rather than open
     * another, and got it (the session pool's slow start).
     */
    public void waitedForSession() {
        count("jamestls_sessions_waited");
    }

    /** Times one delivery run of one mail to one domain, from DNS lookup to the queue decision. */
    public TimeMetric deliveryTimer() {
        return metricFactory.timer("jamestls_delivery_latency");
    }

    private void count(String metric) {
        metricFactory.generate(name(metric)).increment();
    }

    // Prometheus names allow [a-zA-Z0-9_:] only
    private static String name(String metric) {
        return metric.replace('-', '_');
    }
}
