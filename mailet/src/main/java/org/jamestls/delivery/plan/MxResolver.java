package org.jamestls.delivery.plan;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.jamestls.cache.TimedCache;
import org.jamestls.delivery.outcome.DeliveryFailure;
import org.jamestls.delivery.outcome.FailureKind;
import org.jamestls.delivery.outcome.MxTarget;
import org.jamestls.names.HostNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of planning: turns a recipient domain into the ordered list of addresses to try, through James's DNSService
 * (so dnsservice.xml decides the resolver). James already sorts MX records by preference and falls
 * back to the domain's own address records when there is no MX.
 */
public class MxResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(MxResolver.class);

    /** No usable address at all; carries the failure to report. */
    public static final class ResolutionFailure extends Exception {
        private final DeliveryFailure failure;

        ResolutionFailure(DeliveryFailure failure) {
            super(failure.toString());
            this.failure = failure;
        }

        public DeliveryFailure failure() {
            return failure;
        }
    }

    /**
     * How long a successful resolution is reused. James's DNSService already honours TTLs; this short memo
     * on top makes a burst of mails to one domain cost one lookup even when records have TTL 0, where
     * James 3.8.1's dnsjava was seen to stall a query for a second under load. Failures are never kept.
     */
    static final Duration MEMO_TIME = Duration.ofSeconds(5);
    /** Domains memoised at most; the least recently used leave first, so a burst of new domains keeps the busy ones. */
    static final int MAX_MEMOS = 10_000;

    private final DNSService dnsService;
    private final int smtpPort;
    private final TimedCache<String, List<MxTarget>> memos;

    public MxResolver(DNSService dnsService, int smtpPort) {
        this(dnsService, smtpPort, Clock.systemUTC());
    }

    MxResolver(DNSService dnsService, int smtpPort, Clock clock) {
        this.dnsService = dnsService;
        this.smtpPort = smtpPort;
        this.memos = TimedCache.create(MAX_MEMOS, MEMO_TIME, clock);
    }

    public List<MxTarget> resolve(String domain) throws ResolutionFailure {
        Optional<List<MxTarget>> memo = memos.get(domain);
        if (memo.isPresent()) {
            return memo.get();
        }
        List<MxTarget> targets = lookUp(domain);
        memos.put(domain, targets, MEMO_TIME);
        return targets;
    }

    /** Domains memoised now. */
    long memoSize() {
        return memos.size();
    }

    private List<MxTarget> lookUp(String domain) throws ResolutionFailure {
        String asciiDomain = toAscii(domain);
        Collection<String> mxHosts;
        try {
            mxHosts = dnsService.findMXRecords(asciiDomain);
        } catch (TemporaryResolutionException e) {
            throw new ResolutionFailure(new DeliveryFailure(FailureKind.DNS, "4.4.3",
                "temporary DNS failure looking up MX for " + domain));
        }
        if (mxHosts.size() == 1 && HostNames.withoutTrailingDot(mxHosts.iterator().next()).isEmpty()) {
            // RFC 7505 null MX: the domain says it accepts no mail at all
            throw new ResolutionFailure(new DeliveryFailure(FailureKind.DNS, "5.1.10",
                domain + " does not accept mail (null MX, RFC 7505)"));
        }
        List<MxTarget> targets = new ArrayList<>();
        for (String mxHost : mxHosts) {
            String host = HostNames.withoutTrailingDot(mxHost);
            try {
                for (InetAddress address : dnsService.getAllByName(host)) {
                    targets.add(new MxTarget(host, address, smtpPort));
                }
            } catch (UnknownHostException e) {
                LOGGER.warn("MX host {} of domain {} has no address; skipping it", host, domain);
            }
        }
        if (targets.isEmpty()) {
            if (mxHosts.isEmpty()) {
                throw new ResolutionFailure(new DeliveryFailure(FailureKind.DNS, "5.1.2",
                    "no MX or address record for " + domain));
            }
            // the MX exists but its host has no address yet: may be a DNS hiccup, retry later
            throw new ResolutionFailure(new DeliveryFailure(FailureKind.DNS, "4.4.4",
                "no address for the MX hosts of " + domain + ": " + String.join(", ", mxHosts)));
        }
        return List.copyOf(targets);
    }

    /** Internationalised domains are looked up by their A-label (RFC 5890). */
    private static String toAscii(String domain) throws ResolutionFailure {
        try {
            return HostNames.aLabel(domain);
        } catch (IllegalArgumentException e) {
            throw new ResolutionFailure(new DeliveryFailure(FailureKind.DNS, "5.1.2",
                "'" + domain + "' is not a valid domain name: " + e.getMessage()));
        }
    }
}
