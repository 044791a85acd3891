package org.jamestls.mailet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;
import org.jamestls.delivery.settle.RetrySchedule;
import org.jamestls.retry.RetryStrategyKind;
import org.jamestls.tlsrpt.TlsRptSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The mailet's parameters, validated once at start-up. Defaults follow RemoteDelivery where names match. */
public final class TlsDeliveryConfiguration {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsDeliveryConfiguration.class);

    public static final String DEFAULT_OUTGOING = "tls-outgoing";
    public static final String DEFAULT_POLICY_FILE = "file://conf/tls-policy.xml";
    public static final String DEFAULT_BINDING_HEADER = "X-Binding";
    public static final int DEFAULT_DELIVERY_THREADS = 4;
    public static final int DEFAULT_TIMEOUT = 180_000;
    /** RFC 5321 section 4.5.3.2.6: the reply to the final dot may take ten minutes (content scanners). */
    public static final int DEFAULT_DATA_TIMEOUT = 600_000;
    public static final int DEFAULT_CONNECTION_TIMEOUT = 60_000;
    public static final int DEFAULT_SMTP_PORT = 25;
    public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 100;
    public static final Duration DEFAULT_CONNECTION_IDLE_TIME = Duration.ofSeconds(10);
    /** Postfix's default_destination_concurrency_limit: what receivers are used to from one sender. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 20;
    /** 10 MX addresses at the per-host default; above the 10 x cores stock RemoteDelivery reaches below 20 cores. */
    public static final int DEFAULT_MAX_CONCURRENT_DELIVERIES = 200;

    private static final Set<String> KNOWN_PARAMETERS = Stream.concat(Stream.of("outgoing", "policyFile", "delayTime",
        "maxRetries", "bounceProcessor", "heloName", "deliveryThreads", "timeout", "dataTimeout", "connectionTimeout",
        "smtpPort", "bindingHeader", "tlsIfAvailableFallback", "onSuccess", "maxMessagesPerConnection",
        "connectionIdleTime", "maxConnectionsPerHost", "maxConcurrentDeliveries", "dnssecResolver", "dnssecTrustAnchor",
        "mtaStsCache", "retryStrategy", "chunking", BindingHeaderTrust.PARAMETER),
        // TLS reporting's own (tlsRptFrom, ...), read by TlsRptSettings
        TlsRptSettings.PARAMETER_NAMES.stream()).collect(Collectors.toUnmodifiableSet());
    public static final String DEFAULT_MTA_STS_CACHE = "file://var/mtasts";

    private final String outgoing;
    private final String policyFile;
    private final RetrySchedule retrySchedule;
    private final Optional<String> bounceProcessor;
    private final String heloName;
    private final int deliveryThreads;
    private final int timeoutMillis;
    private final int dataTimeoutMillis;
    private final int connectionTimeoutMillis;
    private final int smtpPort;
    private final Optional<String> bindingHeader;
    private final String bindingHeaderFrom;
    private final boolean tlsIfAvailableFallback;
    private final Optional<String> onSuccess;
    private final int maxMessagesPerConnection;
    private final Duration connectionIdleTime;
    private final int maxConnectionsPerHost;
    private final int maxConcurrentDeliveries;
    private final Optional<String> dnssecResolver;
    private final Optional<String> dnssecTrustAnchor;
    private final String mtaStsCache;
    private final RetryStrategyKind retryStrategy;
    private final boolean chunking;

    private TlsDeliveryConfiguration(MailetParameters parameters) throws MessagingException {
        outgoing = parameters.string("outgoing", DEFAULT_OUTGOING);
        policyFile = parameters.string("policyFile", DEFAULT_POLICY_FILE);
        retrySchedule = retrySchedule(parameters);
        bounceProcessor = parameters.string("bounceProcessor");
        heloName = parameters.string("heloName").orElseGet(TlsDeliveryConfiguration::localHostName);
        deliveryThreads = parameters.integer("deliveryThreads", DEFAULT_DELIVERY_THREADS, 1, 1000);
        timeoutMillis = parameters.integer("timeout", DEFAULT_TIMEOUT, 1, Integer.MAX_VALUE);
        dataTimeoutMillis = parameters.integer("dataTimeout", DEFAULT_DATA_TIMEOUT, 1, Integer.MAX_VALUE);
        connectionTimeoutMillis = parameters.integer("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT, 1, Integer.MAX_VALUE);
        smtpPort = parameters.integer("smtpPort", DEFAULT_SMTP_PORT, 1, 65535);
        // an empty <bindingHeader/> turns header-based assignment off
        bindingHeader = parameters.rawIsPresent("bindingHeader")
            ? parameters.string("bindingHeader")
            : Optional.of(DEFAULT_BINDING_HEADER);
        // read as written (an empty element is an error when the trust is parsed, not the default)
        bindingHeaderFrom = parameters.rawIsPresent(BindingHeaderTrust.PARAMETER)
            ? parameters.string(BindingHeaderTrust.PARAMETER, "")
            : BindingHeaderTrust.DEFAULT;
        tlsIfAvailableFallback = parameters.bool("tlsIfAvailableFallback", false);
        chunking = parameters.bool("chunking", true);
        onSuccess = parameters.string("onSuccess");
        maxMessagesPerConnection = parameters.integer("maxMessagesPerConnection", DEFAULT_MAX_MESSAGES_PER_CONNECTION, 1, 100_000);
        connectionIdleTime = parameters.duration("connectionIdleTime", DEFAULT_CONNECTION_IDLE_TIME);
        maxConnectionsPerHost = parameters.integer("maxConnectionsPerHost", DEFAULT_MAX_CONNECTIONS_PER_HOST, 1, 1000);
        maxConcurrentDeliveries = parameters.integer("maxConcurrentDeliveries",
            defaultMaxConcurrentDeliveries(deliveryThreads, Runtime.getRuntime().availableProcessors()), 1, 10_000);
        dnssecResolver = parameters.string("dnssecResolver");
        dnssecTrustAnchor = parameters.string("dnssecTrustAnchor");
        mtaStsCache = parameters.string("mtaStsCache", DEFAULT_MTA_STS_CACHE);
        String strategy = parameters.string("retryStrategy", RetryStrategyKind.AUTO.configName());
        retryStrategy = RetryStrategyKind.parse(strategy)
            .orElseThrow(() -> parameters.invalid("retryStrategy", strategy, RetryStrategyKind.allowed()));
        if (dnssecResolver.isPresent()) {
            try {
                org.jamestls.dane.DnssecResolver.parseAddress(dnssecResolver.get());
            } catch (IllegalArgumentException e) {
                throw parameters.invalid("dnssecResolver", dnssecResolver.get(),
                    "host or host:port of a DNSSEC-aware recursive resolver, e.g. 127.0.0.1:53");
            }
        }
        if (heloName.matches(".*\\s.*")) {
            throw parameters.invalid("heloName", heloName, "a host name without spaces");
        }
    }

    /**
     * Never below what stock RemoteDelivery runs at once with the same parameters (10 x cores, whatever
     * {@code deliveryThreads} says) nor below what {@code deliveryThreads} gave this mailet before it was a
     * compatibility parameter.
     */
    static int defaultMaxConcurrentDeliveries(int deliveryThreads, int cores) {
        return Math.max(DEFAULT_MAX_CONCURRENT_DELIVERIES, Math.max(deliveryThreads, 10 * cores));
    }

    public static TlsDeliveryConfiguration from(MailetConfig config) throws MessagingException {
        warnAboutUnknownParameters(config);
        return new TlsDeliveryConfiguration(new MailetParameters(config));
    }

    private static RetrySchedule retrySchedule(MailetParameters parameters) throws MessagingException {
        int maxRetries = parameters.integer("maxRetries", RetrySchedule.DEFAULT_MAX_RETRIES, 0, 1000);
        Optional<String> delayTime = parameters.string("delayTime");
        if (delayTime.isEmpty()) {
            return RetrySchedule.of(List.of(RetrySchedule.DEFAULT_DELAY), maxRetries);
        }
        try {
            List<Duration> delays = RetrySchedule.parseDelays(delayTime.get());
            return RetrySchedule.of(delays, maxRetries);
        } catch (IllegalArgumentException e) {
            throw parameters.invalid("delayTime", delayTime.get(),
                "a comma-separated list of [attempts*]duration, e.g. '4*5 minutes, 3*1 hour' (" + e.getMessage() + ")");
        }
    }

    private static void warnAboutUnknownParameters(MailetConfig config) {
        config.getInitParameterNames().forEachRemaining(name -> {
            if (!KNOWN_PARAMETERS.contains(name)) {
                LOGGER.warn("Mailet {} ignores unknown parameter <{}>; known parameters: {}",
                    config.getMailetName(), name, KNOWN_PARAMETERS);
            }
        });
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public String outgoing() {
        return outgoing;
    }

    public String policyFile() {
        return policyFile;
    }

    public RetrySchedule retrySchedule() {
        return retrySchedule;
    }

    public Optional<String> bounceProcessor() {
        return bounceProcessor;
    }

    public String heloName() {
        return heloName;
    }

    /** Compatibility only: the default of {@link #maxConcurrentDeliveries} is never below it. */
    public int deliveryThreads() {
        return deliveryThreads;
    }

    public int timeoutMillis() {
        return timeoutMillis;
    }

    /** How long the reply to the final dot may take; {@link #timeoutMillis} is every other reply's. */
    public int dataTimeoutMillis() {
        return dataTimeoutMillis;
    }

    public int connectionTimeoutMillis() {
        return connectionTimeoutMillis;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public Optional<String> bindingHeader() {
        return bindingHeader;
    }

    /** Whose binding header counts, as written ({@link BindingHeaderTrust#parse} reads it). */
    public String bindingHeaderFrom() {
        return bindingHeaderFrom;
    }

    public boolean tlsIfAvailableFallback() {
        return tlsIfAvailableFallback;
    }

    /** Transactions one SMTP session may carry before it is closed. */
    public int maxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    /** How long an idle session stays open for the next mail; zero turns reuse off. */
    public Duration connectionIdleTime() {
        return connectionIdleTime;
    }

    /** Open sessions (busy or idle) per MX address. */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /**
     * Deliveries running at once on this node (queue items taken and not yet completed), which also bounds the SMTP
     * sessions open at once (busy or idle).
     */
    public int maxConcurrentDeliveries() {
        return maxConcurrentDeliveries;
    }

    /** Processor that receives a copy of each delivered mail with the TLS outcome attributes. */
    /** host:port of the DNSSEC resolver; empty = the first server of James's dnsservice.xml, port 53. */
    public Optional<String> dnssecResolver() {
        return dnssecResolver;
    }

    /** James FileSystem URL of DS/DNSKEY records; empty = the root zone's anchors shipped in the jar. */
    public Optional<String> dnssecTrustAnchor() {
        return dnssecTrustAnchor;
    }

    /** James FileSystem URL of the directory where MTA-STS policies are kept across restarts. */
    public String mtaStsCache() {
        return mtaStsCache;
    }

    /** Where deferred mail waits: the queue's own delay, or one queue per delay (auto: decided by the queue). */
    public RetryStrategyKind retryStrategy() {
        return retryStrategy;
    }

    /** Whether small mails go by BDAT (RFC 3030) to receivers offering PIPELINING and CHUNKING. */
    public boolean chunking() {
        return chunking;
    }

    public Optional<String> onSuccess() {
        return onSuccess;
    }
}
