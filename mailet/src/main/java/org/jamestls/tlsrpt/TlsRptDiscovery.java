package org.jamestls.tlsrpt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.jamestls.names.HostNames;

/**
 * Finds where a policy domain wants its reports: the TXT records of {@code _smtp._tls.<policy-domain>} (RFC 8460
 * §3) through James's DNSService, so the operator's resolver settings apply. Answers are remembered: a record for
 * {@link #POSITIVE_MEMORY}, its absence (or an invalid record) for {@link #NEGATIVE_MEMORY}, at most
 * {@link #MAX_REMEMBERED} domains (least recently used forgotten first); a failed lookup is not remembered, so
 * the sender retries it. Lookups happen when reports are sent (once per policy domain and day), never on the
 * delivery path. Thread-safe.
 */
public final class TlsRptDiscovery {
    static final Duration POSITIVE_MEMORY = Duration.ofHours(1);
    static final Duration NEGATIVE_MEMORY = Duration.ofMinutes(10);
    static final int MAX_REMEMBERED = 10_000;
    static final String PREFIX = "_smtp._tls.";

    /** What a lookup found: the record, no record (with why), or a failure to ask again later. */
    public static final class Lookup {
        private final Optional<TlsRptRecord> record;
        private final String description;
        private final boolean failed;

        private Lookup(Optional<TlsRptRecord> record, String description, boolean failed) {
            this.record = record;
            this.description = description;
            this.failed = failed;
        }

        public Optional<TlsRptRecord> record() {
            return record;
        }

        /** The record or why there is none, e.g. {@code no v=TLSRPTv1 TXT record}. */
        public String description() {
            return description;
        }

        /** The DNS lookup itself failed (SERVFAIL, time-out): nothing is known, try again later. */
        public boolean isFailure() {
            return failed;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static final class Remembered {
        final Lookup lookup;
        final Instant until;

        Remembered(Lookup lookup, Instant until) {
            this.lookup = lookup;
            this.until = until;
        }
    }

    private final DNSService dns;
    private final Clock clock;
    private final Map<String, Remembered> remembered = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    public TlsRptDiscovery(DNSService dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    /** The TLSRPT record of {@code policyDomain} (A-labels or U-labels, any case). */
    public Lookup lookup(String policyDomain) {
        String domain = HostNames.aLabelOrNormalized(policyDomain);
        Instant now = clock.instant();
        synchronized (remembered) {
            Remembered known = remembered.get(domain);
            if (known != null && now.isBefore(known.until)) {
                return known.lookup;
            }
        }
        Lookup fresh = ask(domain);
        if (!fresh.isFailure()) {
            Duration memory = fresh.record().isPresent() ? POSITIVE_MEMORY : NEGATIVE_MEMORY;
            synchronized (remembered) {
                remembered.put(domain, new Remembered(fresh, now.plus(memory)));
            }
        }
        return fresh;
    }

    private Lookup ask(String domain) {
        Collection<String> records;
        try {
            records = dns.findTXTRecords(PREFIX + domain);
        } catch (RuntimeException e) {
            return new Lookup(Optional.empty(), "TXT lookup of " + PREFIX + domain + " failed: " + e.getMessage(), true);
        }
        TlsRptRecord.Discovered discovered = TlsRptRecord.discovered(records == null ? List.of() : records);
        return new Lookup(discovered.record(), discovered.description(), false);
    }
}
