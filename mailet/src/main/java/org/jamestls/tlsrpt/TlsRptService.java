package org.jamestls.tlsrpt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.metrics.api.MetricFactory;
import org.jamestls.files.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS reporting as one running thing, for the mailet to start in {@code init()} and close in {@code destroy()}: the
 * store (counters under {@code tlsRptStore}), the discovery, the sender, and one daemon thread that flushes the
 * counters every {@link TlsRptStore#FLUSH_INTERVAL} and runs the sender every {@link #SEND_INTERVAL}. Delivery code
 * records through {@link #store()}; WebAdmin reads {@link #unreported()} and calls {@link #sendNow}.
 */
public final class TlsRptService implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRptService.class);
    public static final Duration SEND_INTERVAL = Duration.ofMinutes(1);
    static final String SEED_FILE = "spread-seed";

    private final TlsRptStore store;
    private final TlsRptSender sender;
    private final ScheduledExecutorService scheduler;

    private TlsRptService(TlsRptStore store, TlsRptSender sender, ScheduledExecutorService scheduler) {
        this.store = store;
        this.sender = sender;
        this.scheduler = scheduler;
    }

    /**
     * Opens the store under {@code storeDirectory} (the resolved {@code tlsRptStore}) and starts the schedule.
     *
     * @param transport mail through the MailetContext, POST through {@link HttpsReportPoster}
     */
    public static TlsRptService start(TlsRptSettings settings, Path storeDirectory, DNSService dns, ReportTransport transport,
                                      MetricFactory metrics, Clock clock) throws IOException {
        TlsRptStore store = TlsRptStore.open(storeDirectory, clock, TlsRptLimits.DEFAULT);
        TlsRptSender sender = new TlsRptSender(store, new TlsRptDiscovery(dns, clock), settings.identity(), settings.from(),
            transport, metrics, clock, TlsRptSender.MAX_SPREAD, spreadSeed(storeDirectory));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "jamestls-tlsrpt");
            thread.setDaemon(true);
            return thread;
        });
        TlsRptService service = new TlsRptService(store, sender, scheduler);
        scheduler.scheduleWithFixedDelay(service::flushQuietly, TlsRptStore.FLUSH_INTERVAL.toSeconds(),
            TlsRptStore.FLUSH_INTERVAL.toSeconds(), TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(service::sendQuietly, SEND_INTERVAL.toSeconds(), SEND_INTERVAL.toSeconds(),
            TimeUnit.SECONDS);
        LOGGER.info("TLS reporting on: {}, counters in {} ({})", settings, storeDirectory, store.limits());
        return service;
    }

    /**
     * This node's seed for the spread delays, drawn once and kept in the store directory: a restart keeps each
     * domain's turn, and each node (its own {@code var/}) has its own.
     */
    static long spreadSeed(Path storeDirectory) throws IOException {
        Path file = storeDirectory.resolve(SEED_FILE);
        if (Files.exists(file)) {
            try {
                return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                LOGGER.warn("TLS reports: replacing the unreadable {}", file);
            }
        }
        long seed = new SecureRandom().nextLong();
        AtomicFiles.write(file, Long.toString(seed).getBytes(StandardCharsets.US_ASCII));
        return seed;
    }

    /** Where delivery records its sessions. */
    public TlsRptStore store() {
        return store;
    }

    public TlsRptSender sender() {
        return sender;
    }

    /** WebAdmin's {@code GET /tls-reports}: the counters not yet reported, per period and policy domain. */
    public Map<String, Object> unreported() {
        return TlsRptView.unreported(store);
    }

    /** WebAdmin's {@code POST /tls-reports?action=send[&includeToday=true]}: what was attempted, as JSON. */
    public Map<String, Object> sendNow(boolean includeToday) {
        List<TlsRptSender.Outcome> outcomes = sender.sendNow(includeToday);
        return Map.of("attempted", TlsRptView.outcomes(outcomes));
    }

    private void flushQuietly() {
        try {
            store.flush();
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("TLS reports: cannot write the counters to {}: {}", store.directory(), e.toString());
        }
    }

    private void sendQuietly() {
        try {
            sender.runDue();
        } catch (RuntimeException e) {
            LOGGER.warn("TLS reports: the send run failed: {}", e.toString(), e);
        }
    }

    /** Stops the schedule and writes the counters a last time. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
