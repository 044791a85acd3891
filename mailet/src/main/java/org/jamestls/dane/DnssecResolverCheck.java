package org.jamestls.dane;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The start-up check run when {@code dane} is on anywhere: the configured resolver must hand out DNSSEC
 * data for the trust anchor's zone (a validated DNSKEY RRset). A resolver that strips RRSIGs, or does not
 * answer, would make every DANE lookup BOGUS or FAILED, so mail to DANE domains would only be deferred;
 * the administrator should hear about it at start-up, with the resolver named.
 */
public final class DnssecResolverCheck {

    /** The verdict and the sentence to log. Immutable. */
    public static final class Result {
        private final boolean ok;
        private final String message;

        Result(boolean ok, String message) {
            this.ok = ok;
            this.message = Objects.requireNonNull(message);
        }

        public boolean isOk() {
            return ok;
        }

        /** Log this at INFO when {@link #isOk()}, else at WARN. */
        public String message() {
            return message;
        }

        @Override
        public String toString() {
            return (ok ? "ok: " : "warning: ") + message;
        }
    }

    private final DnssecResolver resolver;

    public DnssecResolverCheck(DnssecResolver resolver) {
        this.resolver = resolver;
    }

    public Result run() {
        List<String> problems = new ArrayList<>();
        List<String> good = new ArrayList<>();
        for (Name zone : resolver.trustAnchors().zones()) {
            DnssecAnswer<Record> answer = resolver.records(zone.toString(), Type.DNSKEY);
            if (answer.isSecure() && !answer.isDenial()) {
                good.add(zone.toString());
            } else {
                problems.add("DNSKEY " + zone + " is " + answer.status()
                    + answer.reason().map(r -> " (" + r + ")").orElse("") + rawSignatures(zone));
            }
        }
        String who = "DNSSEC resolver " + resolver.serverDescription();
        if (problems.isEmpty()) {
            return new Result(true, who + " returns validated DNSSEC data for " + String.join(", ", good)
                + " (trust anchor: " + resolver.trustAnchors().source() + ")");
        }
        return new Result(false, who + " does not return validated DNSSEC data for the trust anchor zone ("
            + resolver.trustAnchors().source() + "): " + String.join("; ", problems)
            + ". DANE lookups through it will fail and mail to DANE-protected domains will be deferred;"
            + " set dnssecResolver to a DNSSEC-aware resolver, or check dnssecTrustAnchor");
    }

    /** Asks again without validation, to tell "no DNSSEC data at all" from "data that does not validate". */
    private String rawSignatures(Name zone) {
        try {
            SimpleResolver raw = new SimpleResolver(resolver.server());
            raw.setTimeout(resolver.timeout());
            raw.setEDNS(0, 0, ExtendedFlags.DO);
            Message response = raw.send(Message.newQuery(Record.newRecord(zone, Type.DNSKEY, DClass.IN)));
            long sigs = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.RRSIG).count();
            long keys = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.DNSKEY).count();
            return "; without validation it answered " + keys + " DNSKEY and " + sigs + " RRSIG records"
                + (keys > 0 && sigs == 0 ? " (it strips DNSSEC signatures)" : "");
        } catch (IOException e) {
            return "; without validation: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
    }
}
