package org.jamestls.mailet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.MessagingException;
import javax.net.ssl.SSLContext;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.DnssecResolver;
import org.jamestls.dane.DnssecResolverCheck;
import org.jamestls.dane.TrustAnchors;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsFetcher;
import org.jamestls.mtasts.MtaStsPolicyCache;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.Decided;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.tls.TlsMaterialException;
import org.jamestls.tls.TrustContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ResolverConfig;

/**
 * Builds the MTA-STS and DANE lookups at start-up, only for the mechanisms some scope turns on: the MTA-STS
 * policy cache under James's var/, the DNSSEC resolver and trust anchor, and the check that the resolver
 * really serves DNSSEC data (a warning naming it when it does not).
 */
final class PublishedPolicySetup {
    private static final Logger LOGGER = LoggerFactory.getLogger(PublishedPolicySetup.class);

    private final TlsDeliveryConfiguration configuration;
    private final TlsPolicy policy;
    private final DNSService dnsService;
    private final FileSystem fileSystem;

    PublishedPolicySetup(TlsDeliveryConfiguration configuration, TlsPolicy policy, DNSService dnsService,
                         FileSystem fileSystem) {
        this.configuration = configuration;
        this.policy = policy;
        this.dnsService = dnsService;
        this.fileSystem = fileSystem;
    }

    PublishedPolicies build() throws MessagingException {
        boolean mtaStsOn = policy.everyResolution().stream().anyMatch(r -> r.mtaSts().value().isOn());
        boolean daneOn = policy.everyResolution().stream().anyMatch(r -> r.dane().value().isOn());
        Optional<MtaStsPolicySource> mtaSts = mtaStsOn ? Optional.of(mtaStsSource()) : Optional.empty();
        Optional<DaneLookup> dane = daneOn ? Optional.of(daneLookup()) : Optional.empty();
        LOGGER.info("Published policies: MTA-STS {}, DANE {}", mtaSts.isPresent() ? "on (cache " + configuration.mtaStsCache()
            + ")" : "off in every scope", dane.map(d -> "on (resolver " + d.resolver().serverDescription() + ")")
            .orElse("off in every scope"));
        return new PublishedPolicies(mtaSts, dane, configuration.smtpPort());
    }

    private MtaStsPolicySource mtaStsSource() throws MessagingException {
        File cacheDir;
        try {
            cacheDir = fileSystem.getFile(configuration.mtaStsCache());
        } catch (IOException e) {
            throw new MessagingException("mtaStsCache " + configuration.mtaStsCache() + " is not usable: " + e.getMessage(), e);
        }
        Map<Optional<String>, MtaStsFetcher> fetchers = new ConcurrentHashMap<>();
        for (ResolvedTlsPolicy resolution : policy.everyResolution()) {
            Optional<String> ca = resolution.tlsCa().map(Decided::value);
            if (!fetchers.containsKey(ca)) {
                fetchers.put(ca, new MtaStsFetcher(dnsService, trust(fileSystem, ca, "MTA-STS trust")));
            }
        }
        // the policy host is checked against the domain's own tlsCa when its scope sets one (tests, private PKI)
        return new MtaStsPolicySource(dnsService, domain -> fetcherFor(fetchers, domain).fetch(domain),
            new MtaStsPolicyCache(cacheDir.toPath()), Clock.systemUTC());
    }

    private MtaStsFetcher fetcherFor(Map<Optional<String>, MtaStsFetcher> fetchers, String domain)
            throws MtaStsFetchException {
        Optional<String> ca = policy.resolve(domain, Optional.empty()).tlsCa().map(Decided::value);
        MtaStsFetcher fetcher = fetchers.get(ca);
        if (fetcher == null) {
            throw new MtaStsFetchException("no MTA-STS fetcher for tlsCa " + ca.orElse("(JDK trust store)"));
        }
        return fetcher;
    }

    /**
     * A verifying context for HTTPS clients (MTA-STS fetch, TLS report POST): the authorities of the PEM bundle at
     * {@code caUrl}, or the JDK's trust store; {@code what} names it in the start-up error.
     */
    static SSLContext trust(FileSystem fileSystem, Optional<String> caUrl, String what) throws MessagingException {
        try {
            if (caUrl.isEmpty()) {
                return TrustContexts.jdkDefault();
            }
            try (InputStream in = fileSystem.getResource(caUrl.get())) {
                return TrustContexts.fromPemCa(in, caUrl.get());
            }
        } catch (TlsMaterialException | IOException e) {
            throw new MessagingException(what + " " + caUrl.orElse("(JDK trust store)") + " is unusable: "
                + e.getMessage(), e);
        }
    }

    private DaneLookup daneLookup() throws MessagingException {
        TrustAnchors anchors = trustAnchors();
        InetSocketAddress server = DnssecResolver.parseAddress(configuration.dnssecResolver()
            .orElseGet(this::firstJamesDnsServer));
        DnssecResolver resolver = new DnssecResolver(server, anchors, DnssecResolver.DEFAULT_TIMEOUT);
        DnssecResolverCheck.Result check = new DnssecResolverCheck(resolver).run();
        if (check.isOk()) {
            LOGGER.info("DANE: {}", check.message());
        } else {
            LOGGER.warn("DANE is on but {}; DANE domains will be deferred until it does", check.message());
        }
        return new DaneLookup(resolver);
    }

    private TrustAnchors trustAnchors() throws MessagingException {
        if (configuration.dnssecTrustAnchor().isEmpty()) {
            return TrustAnchors.root();
        }
        String url = configuration.dnssecTrustAnchor().get();
        try (InputStream in = fileSystem.getResource(url)) {
            return TrustAnchors.parse(in, url);
        } catch (IOException | IllegalArgumentException e) {
            throw new MessagingException("Invalid mailet parameter <dnssecTrustAnchor> " + url + ": " + e.getMessage(), e);
        }
    }

    /** The first {@code <server>} of James's dnsservice.xml, else the system's first resolver. */
    private String firstJamesDnsServer() {
        try {
            Optional<String> server = new JamesConf(fileSystem).firstDnsServer();
            if (server.isPresent()) {
                return server.get();
            }
        } catch (MessagingException e) {
            LOGGER.debug("cannot read {}: {}", JamesConf.DNS_SERVICE, e.toString());
        }
        return ResolverConfig.getCurrentConfig().servers().get(0).getAddress().getHostAddress();
    }
}
