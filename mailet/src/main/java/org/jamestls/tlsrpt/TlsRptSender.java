package org.jamestls.tlsrpt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.jamestls.tlsrpt.DomainDelivery.Destination;
import org.jamestls.tlsrpt.DomainDelivery.DestinationState;
import org.jamestls.tlsrpt.DomainDelivery.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the reports of finished periods: for each policy domain counted in a period, after the period's end plus a
 * spread delay of at most {@link #MAX_SPREAD} (four hours, RFC 8460 §4.1's example; fixed per period and domain,
 * so receivers do not get every sender's reports at 00:00), looks up its TLSRPT record and sends one report to
 * each rua: a mail for {@code mailto:}, a POST for {@code https:}. A failed destination is retried after 10 min,
 * then doubling up to 4 h between tries, and given up 24 h after the first attempt (§5.5). Every state change is
 * written to the period's journal before the next send, so a report sent is never sent again after a restart. A
 * period is deleted once every domain is done, and {@link TlsRptStore#MAX_AGE} after its end in any case.
 *
 * <p>Metrics (James MetricFactory): {@value #METRIC_SENT} counts reports delivered, one per policy domain, period and
 * rua (handed to James's queue for mailto, 2xx for https); {@value #METRIC_FAILED} counts delivery attempts that
 * failed (a report retried three times counts three). Thread-safe: one run at a time.
 */
public final class TlsRptSender {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRptSender.class);
    public static final String METRIC_SENT = "jamestls_tlsrpt_reports_sent";
    public static final String METRIC_FAILED = "jamestls_tlsrpt_reports_failed";
    public static final Duration MAX_SPREAD = Duration.ofHours(4);
    static final Duration FIRST_RETRY = Duration.ofMinutes(10);
    static final Duration MAX_RETRY = Duration.ofHours(4);
    static final Duration GIVE_UP_AFTER = Duration.ofHours(24);

    private final TlsRptStore store;
    private final TlsRptDiscovery discovery;
    private final ReportIdentity identity;
    private final MailAddress from;
    private final ReportTransport transport;
    private final MetricFactory metrics;
    private final Clock clock;
    private final Duration maxSpread;
    private final long spreadSeed;

    /**
     * @param from the report mail's sender ({@code tlsRptFrom})
     * @param maxSpread {@link #MAX_SPREAD}; zero sends at the period's end (tests)
     * @param spreadSeed makes each node's delays its own (random at start-up)
     */
    public TlsRptSender(TlsRptStore store, TlsRptDiscovery discovery, ReportIdentity identity, MailAddress from,
                        ReportTransport transport, MetricFactory metrics, Clock clock, Duration maxSpread, long spreadSeed) {
        this.store = store;
        this.discovery = discovery;
        this.identity = identity;
        this.from = from;
        this.transport = transport;
        this.metrics = metrics;
        this.clock = clock;
        this.maxSpread = maxSpread;
        this.spreadSeed = spreadSeed;
    }

    /** What one run did for one policy domain of one period. */
    public static final class Outcome {
        private final ReportPeriod period;
        private final DomainDelivery delivery;

        Outcome(ReportPeriod period, DomainDelivery delivery) {
            this.period = period;
            this.delivery = delivery;
        }

        public ReportPeriod period() {
            return period;
        }

        public DomainDelivery delivery() {
            return delivery;
        }

        @Override
        public String toString() {
            return period + " " + delivery;
        }
    }

    /** The scheduled run: every report that is due (spread delay and retry times respected). */
    public synchronized List<Outcome> runDue() {
        return run(false);
    }

    /**
     * WebAdmin's {@code POST /tls-reports?action=send}: every finished period's reports not yet sent, now, ignoring
     * the spread delay and retry times (a destination already sent to is not sent to again). With
     * {@code includeToday}, today's period is first cut at this moment, so today's counts so far go out as a report
     * whose date-range ends now, and counting goes on in a new period from now.
     */
    public synchronized List<Outcome> sendNow(boolean includeToday) {
        if (includeToday) {
            store.cut();
            try {
                store.flush(); // the cut must be on disk before its report is sent: a restart must not count it again
            } catch (IOException e) {
                LOGGER.warn("TLS reports: cannot write the counters before sending: {}", e.toString());
            }
        }
        return run(true);
    }

    private List<Outcome> run(boolean now) {
        List<Outcome> outcomes = new ArrayList<>();
        Instant at = clock.instant();
        for (ReportPeriod period : store.finishedPeriods()) {
            try {
                outcomes.addAll(runPeriod(period, at, now));
            } catch (IOException e) {
                LOGGER.warn("TLS reports of {}: journal {} not usable: {}", period, store.directory(), e.toString());
            }
        }
        return outcomes;
    }

    private List<Outcome> runPeriod(ReportPeriod period, Instant now, boolean immediately) throws IOException {
        Optional<PeriodSnapshot> snapshot = store.snapshot(period);
        if (snapshot.isEmpty()) {
            return List.of();
        }
        DeliveryJournal journal = store.journal(period);
        List<Outcome> outcomes = new ArrayList<>();
        boolean allDone = true;
        for (DomainSnapshot domain : snapshot.get().domains().values()) {
            Optional<DomainDelivery> before = journal.get(domain.policyDomain());
            Optional<DomainDelivery> after = before;
            if (before.map(DomainDelivery::isFinal).orElse(false)) {
                continue;
            }
            if (immediately || isDue(period, domain.policyDomain(), before, now)) {
                after = Optional.of(attempt(period, domain, before, now));
                journal.record(after.get());
                outcomes.add(new Outcome(period, after.get()));
            }
            allDone &= after.map(DomainDelivery::isFinal).orElse(false);
        }
        if (allDone) {
            store.remove(period);
        } else if (now.isAfter(period.end().plus(TlsRptStore.MAX_AGE))) {
            LOGGER.warn("TLS reports of {}: giving up the reports not sent after {} ({})", period, TlsRptStore.MAX_AGE,
                journal.all().values());
            store.remove(period);
        }
        return outcomes;
    }

    private boolean isDue(ReportPeriod period, String domain, Optional<DomainDelivery> before, Instant now) {
        if (now.isBefore(period.end().plus(spread(period, domain)))) {
            return false;
        }
        return before.flatMap(DomainDelivery::nextAttempt).map(next -> !now.isBefore(next)).orElse(true);
    }

    /** The same delay for the same node seed, period and domain: a restart does not move a domain's turn. */
    Duration spread(ReportPeriod period, String domain) {
        if (maxSpread.isZero()) {
            return Duration.ZERO;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(ByteBuffer.allocate(16).putLong(spreadSeed).putLong(period.start().getEpochSecond()).array());
            digest.update(domain.getBytes(StandardCharsets.UTF_8));
            long value = ByteBuffer.wrap(digest.digest()).getLong();
            return Duration.ofSeconds(Math.floorMod(value, maxSpread.getSeconds() + 1));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private DomainDelivery attempt(ReportPeriod period, DomainSnapshot domain, Optional<DomainDelivery> before, Instant now) {
        String name = domain.policyDomain();
        String reportId = before.map(DomainDelivery::reportId).orElseGet(() -> identity.newReportId(period));
        Instant first = before.map(DomainDelivery::firstAttempt).orElse(now);
        Map<String, Destination> destinations = new LinkedHashMap<>(before.map(DomainDelivery::destinations).orElse(Map.of()));
        if (domain.sessions() == 0) {
            return new DomainDelivery(name, reportId, Status.DONE, first, Optional.empty(),
                Optional.of("no session counted"), destinations);
        }
        TlsRptDiscovery.Lookup lookup = discovery.lookup(name);
        if (lookup.isFailure()) {
            boolean giveUp = !now.isBefore(first.plus(GIVE_UP_AFTER));
            LOGGER.warn("TLS report for {} ({}): {}{}", name, period, lookup.description(), giveUp ? "; given up" : "");
            return new DomainDelivery(name, reportId, giveUp ? Status.DONE : Status.PENDING, first,
                giveUp ? Optional.empty() : Optional.of(now.plus(FIRST_RETRY)), Optional.of(lookup.description()),
                destinations);
        }
        if (lookup.record().isEmpty()) {
            LOGGER.debug("No TLS report for {} ({}): {}", name, period, lookup.description());
            return new DomainDelivery(name, reportId, Status.NO_RECORD, first, Optional.empty(),
                Optional.of(lookup.description()), destinations);
        }
        byte[] gzip = TlsReportJson.gzip(TlsReportJson.bytes(TlsReportJson.report(identity, period, domain, reportId)));
        Optional<Instant> nextAttempt = Optional.empty();
        boolean allFinal = true;
        for (ReportUri uri : lookup.record().get().uris()) {
            Optional<Destination> previous = Optional.ofNullable(destinations.get(uri.text()));
            if (previous.map(Destination::isFinal).orElse(false)) {
                continue;
            }
            Destination result = deliver(period, domain, reportId, gzip, uri, previous, first, now);
            destinations.put(uri.text(), result);
            if (!result.isFinal()) {
                allFinal = false;
                Instant next = result.nextAttempt().orElseThrow();
                nextAttempt = Optional.of(nextAttempt.filter(n -> n.isBefore(next)).orElse(next));
            }
        }
        return new DomainDelivery(name, reportId, allFinal ? Status.DONE : Status.PENDING, first, nextAttempt,
            Optional.of(lookup.description()), destinations);
    }

    private Destination deliver(ReportPeriod period, DomainSnapshot domain, String reportId, byte[] gzip, ReportUri uri,
                                Optional<Destination> previous, Instant first, Instant now) {
        int attempts = previous.map(Destination::attempts).orElse(0) + 1;
        try {
            if (uri.scheme() == ReportUri.Scheme.MAILTO) {
                MimeMessage message = ReportMessage.build(identity, from, uri.mailAddress(), period, domain.policyDomain(),
                    reportId, summary(period, domain, reportId), gzip);
                transport.mail(message, uri.mailAddress());
            } else {
                transport.post(uri.uri(), gzip);
            }
            metrics.generate(METRIC_SENT).increment();
            LOGGER.info("TLS report sent: domain={} period={} rua={} reportId={} sessions={} attempt={}",
                domain.policyDomain(), period, uri, reportId, domain.sessions(), attempts);
            return new Destination(DestinationState.SENT, attempts, Optional.empty(), Optional.empty());
        } catch (ReportDeliveryException | MessagingException | RuntimeException e) {
            metrics.generate(METRIC_FAILED).increment();
            boolean giveUp = !now.isBefore(first.plus(GIVE_UP_AFTER));
            Instant next = now.plus(backoff(attempts));
            LOGGER.warn("TLS report not sent: domain={} period={} rua={} reportId={} attempt={}: {}; {}",
                domain.policyDomain(), period, uri, reportId, attempts, e.getMessage(),
                giveUp ? "given up" : "next attempt at " + next);
            Optional<String> error = Optional.of(ResultTypeClassifier.shorten(String.valueOf(e.getMessage())));
            return giveUp
                ? new Destination(DestinationState.FAILED, attempts, Optional.empty(), error)
                : new Destination(DestinationState.RETRY, attempts, Optional.of(next), error);
        }
    }

    /** 10 min, 20, 40, ... at most 4 h. */
    static Duration backoff(int attempts) {
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(attempts - 1, 10));
        return delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
    }

    private String summary(ReportPeriod period, DomainSnapshot domain, String reportId) {
        long failed = domain.policies().stream().mapToLong(PolicySnapshot::failedSessions).sum();
        return "This is an aggregate TLS report (RFC 8460) from " + identity.organizationName() + " ("
            + identity.submitter() + ") for " + domain.policyDomain() + ",\r\ncovering " + period.start() + " to "
            + period.reportedEnd() + ": " + (domain.sessions() - failed) + " successful and " + failed
            + " failed sessions.\r\nReport-ID: " + reportId + "\r\n";
    }
}
