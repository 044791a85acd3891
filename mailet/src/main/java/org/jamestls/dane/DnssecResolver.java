package org.jamestls.dane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.jamestls.cache.TimedCache;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * MX, address and TLSA lookups validated by dnsjava's {@link ValidatingResolver}, which asks one server
 * (a recursive resolver, or an authoritative server for the anchored zone) with DO and CD set and checks
 * the signatures itself: nothing depends on the upstream server validating or setting AD.
 *
 * <p>Answers are cached ({@link #MAX_CACHED_ANSWERS} questions at most, least recently asked out first), so a
 * burst of mail to a DANE domain costs one MX, A, AAAA and TLSA lookup, not one per mail: validated records for
 * their smallest TTL, at most {@link #LONGEST_ANSWER_LIFE}; denials (NXDOMAIN, NODATA) for the SOA's negative TTL
 * (RFC 2308: the smaller of its TTL and MINIMUM), at most {@link #LONGEST_NEGATIVE_LIFE}, or
 * {@link #NEGATIVE_LIFE_WITHOUT_SOA} without one; BOGUS and FAILED answers for {@link #FAILURE_LIFE} only. A TTL of
 * 0 is not cached.
 *
 * <p>Thread-safe; one instance per mailet is meant to be shared (it caches validated DNSKEYs and answers).
 */
public final class DnssecResolver {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_PORT = 53;

    /**
     * ValidatingResolver answers an upstream SERVFAIL/REFUSED as a validation failure with this reason;
     * that is a lookup failure, not a bad signature, and is reported as FAILED.
     */
    private static final String UNCLASSIFIABLE_REASON_PREFIX = "Response subtype is UNKNOWN";

    public static final int MAX_CACHED_ANSWERS = 10_000;
    public static final Duration LONGEST_ANSWER_LIFE = Duration.ofHours(1);
    public static final Duration LONGEST_NEGATIVE_LIFE = Duration.ofMinutes(5);
    public static final Duration NEGATIVE_LIFE_WITHOUT_SOA = Duration.ofSeconds(30);
    /** Long enough that a burst to a broken zone costs one lookup (each may wait 3 timeouts), shorter than any retry. */
    public static final Duration FAILURE_LIFE = Duration.ofSeconds(30);

    private final Resolver validating;
    private final InetSocketAddress server;
    private final TrustAnchors anchors;
    private final Duration timeout;
    /** Judged answers by question ({@code name. TYPE}); each question always has the same record value type. */
    private final TimedCache<String, DnssecAnswer<?>> answers;

    /**
     * @param server the resolver asked for everything ({@code dnssecResolver})
     * @param anchors the trust anchors ({@code dnssecTrustAnchor})
     * @param timeout per DNS query; a lookup with its DS/DNSKEY queries waits at most 3 times this long
     */
    public DnssecResolver(InetSocketAddress server, TrustAnchors anchors, Duration timeout) {
        this(validatingResolver(server, anchors, timeout), server, anchors, timeout);
    }

    DnssecResolver(Resolver validating, InetSocketAddress server, TrustAnchors anchors, Duration timeout) {
        this(validating, server, anchors, timeout, Clock.systemUTC());
    }

    DnssecResolver(Resolver validating, InetSocketAddress server, TrustAnchors anchors, Duration timeout, Clock clock) {
        this.validating = validating;
        this.server = server;
        this.anchors = anchors;
        this.timeout = timeout;
        this.answers = TimedCache.create(MAX_CACHED_ANSWERS, LONGEST_ANSWER_LIFE, clock);
    }

    private static Resolver validatingResolver(InetSocketAddress server, TrustAnchors anchors, Duration timeout) {
        SimpleResolver head = new SimpleResolver(server);
        head.setTimeout(timeout);
        ValidatingResolver resolver = new ValidatingResolver(head);
        try {
            resolver.loadTrustAnchors(new ByteArrayInputStream(anchors.toZoneText().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // TrustAnchors already parsed the same text
            throw new IllegalStateException("trust anchors rejected by dnsjava: " + e.getMessage(), e);
        }
        return resolver;
    }

    /**
     * Parses {@code dnssecResolver}: {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6
     * literal; the port defaults to 53.
     */
    public static InetSocketAddress parseAddress(String value) {
        String v = value.trim();
        String host = v;
        int port = DEFAULT_PORT;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("dnssecResolver: missing ] in " + value);
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1), value);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("dnssecResolver: expected [address]:port, got " + value);
            }
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            host = v.substring(0, v.indexOf(':'));
            port = parsePort(v.substring(v.indexOf(':') + 1), value);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("dnssecResolver: no host in " + value);
        }
        return new InetSocketAddress(host, port);
    }

    private static int parsePort(String port, String value) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dnssecResolver: port must be 1-65535 in " + value);
        }
    }

    /** {@code host:port} of the resolver, for log lines. */
    public String serverDescription() {
        return server.getHostString() + ":" + server.getPort();
    }

    public InetSocketAddress server() {
        return server;
    }

    public TrustAnchors trustAnchors() {
        return anchors;
    }

    public Duration timeout() {
        return timeout;
    }

    /** MX records of a domain, in the order the server gave them (sorting is the caller's business). */
    public DnssecAnswer<MxHost> mx(String domain) {
        return cachedLookup(domain, Type.MX, r -> new MxHost(((MXRecord) r).getPriority(),
            hostName(((MXRecord) r).getTarget())));
    }

    /** A and AAAA records; SECURE only if both answers are. */
    public DnssecAnswer<InetAddress> addresses(String host) {
        DnssecAnswer<InetAddress> v4 = cachedLookup(host, Type.A, r -> ((ARecord) r).getAddress());
        if (v4.isTemporaryFailure()) {
            return v4;
        }
        DnssecAnswer<InetAddress> v6 = cachedLookup(host, Type.AAAA, r -> ((AAAARecord) r).getAddress());
        if (v6.isTemporaryFailure()) {
            return v6;
        }
        String question = absolute(host) + " A/AAAA";
        DnssecStatus status = v4.isSecure() && v6.isSecure() ? DnssecStatus.SECURE : DnssecStatus.INSECURE;
        List<InetAddress> all = new ArrayList<>(v4.records());
        all.addAll(v6.records());
        if (!all.isEmpty()) {
            return DnssecAnswer.records(question, status, all);
        }
        boolean nameExists = v4.content() == DnssecAnswer.Content.NO_DATA || v6.content() == DnssecAnswer.Content.NO_DATA;
        return DnssecAnswer.denial(question, status, nameExists);
    }

    /** TLSA records at {@code _<port>._tcp.<host>} (RFC 7672 §2.2.3). */
    public DnssecAnswer<TlsaRecord> tlsa(String host, int port) {
        return cachedLookup("_" + port + "._tcp." + host, Type.TLSA, r -> TlsaRecord.of((TLSARecord) r));
    }

    /** Any record type (used by the start-up check, which must ask the resolver): never cached. */
    public DnssecAnswer<Record> records(String name, int type) {
        return lookup(name, type, r -> r).answer;
    }

    /** Answers cached for questions in the cache now (for tests and the README's bound). */
    long cachedAnswers() {
        return answers.size();
    }

    @SuppressWarnings("unchecked") // a question's record type decides its value type (MX: MxHost, A: InetAddress...)
    private <T> DnssecAnswer<T> cachedLookup(String name, int type, Function<Record, T> convert) {
        String question = absolute(name).toLowerCase(Locale.ROOT) + " " + Type.string(type);
        Optional<DnssecAnswer<?>> cached = answers.get(question);
        if (cached.isPresent()) {
            return (DnssecAnswer<T>) cached.get();
        }
        Judged<T> judged = lookup(name, type, convert);
        answers.put(question, judged.answer, judged.life);
        return judged.answer;
    }

    /** An answer and how long it may be reused. */
    private static final class Judged<T> {
        final DnssecAnswer<T> answer;
        final Duration life;

        Judged(DnssecAnswer<T> answer, Duration life) {
            this.answer = answer;
            this.life = life;
        }

        static <T> Judged<T> failure(DnssecAnswer<T> answer) {
            return new Judged<>(answer, FAILURE_LIFE);
        }
    }

    private <T> Judged<T> lookup(String name, int type, Function<Record, T> convert) {
        String question = absolute(name) + " " + Type.string(type);
        Message query;
        try {
            query = Message.newQuery(Record.newRecord(Name.fromString(absolute(name)), type, DClass.IN));
        } catch (TextParseException e) {
            return new Judged<>(DnssecAnswer.failed(question, "not a domain name: " + e.getMessage()), Duration.ZERO);
        }
        Message response;
        Duration wait = timeout.multipliedBy(3);
        try {
            response = validating.sendAsync(query).toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Judged.failure(DnssecAnswer.failed(question, "no answer from " + serverDescription() + " within "
                + wait.toMillis() + " ms"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Judged.failure(DnssecAnswer.failed(question, "lookup through " + serverDescription() + " failed: "
                + describe(cause)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Judged<>(DnssecAnswer.failed(question, "interrupted"), Duration.ZERO);
        }
        DnssecAnswer<T> answer = judge(question, type, response, convert);
        return new Judged<>(answer, life(answer, response));
    }

    /** How long an answer may be reused: see the class comment. */
    static Duration life(DnssecAnswer<?> answer, Message response) {
        if (answer.isTemporaryFailure()) {
            return FAILURE_LIFE;
        }
        if (answer.content() == DnssecAnswer.Content.RECORDS) {
            long ttl = response.getSection(Section.ANSWER).stream().mapToLong(Record::getTTL).min().orElse(0);
            return Duration.ofSeconds(ttl);
        }
        Optional<Duration> negative = response.getSection(Section.AUTHORITY).stream()
            .filter(r -> r.getType() == Type.SOA)
            .map(r -> Duration.ofSeconds(Math.min(r.getTTL(), ((SOARecord) r).getMinimum())))
            .findFirst();
        return negative.map(ttl -> ttl.compareTo(LONGEST_NEGATIVE_LIFE) > 0 ? LONGEST_NEGATIVE_LIFE : ttl)
            .orElse(NEGATIVE_LIFE_WITHOUT_SOA);
    }

    /** Reads ValidatingResolver's verdict: AD = secure, SERVFAIL with a reason = bogus. */
    <T> DnssecAnswer<T> judge(String question, int type, Message response, Function<Record, T> convert) {
        int rcode = response.getRcode();
        Optional<String> reason = validationReason(response);
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            if (reason.isPresent() && !reason.get().startsWith(UNCLASSIFIABLE_REASON_PREFIX)) {
                return DnssecAnswer.bogus(question, reason.get());
            }
            return DnssecAnswer.failed(question, serverDescription() + " answered " + Rcode.string(rcode));
        }
        DnssecStatus status = response.getHeader().getFlag(Flags.AD) ? DnssecStatus.SECURE : DnssecStatus.INSECURE;
        if (rcode == Rcode.NXDOMAIN) {
            return DnssecAnswer.denial(question, status, false);
        }
        List<T> values = new ArrayList<>();
        // records of the type asked for, whatever their owner: the end of a CNAME chain the server followed
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                values.add(convert.apply(r));
            }
        }
        return values.isEmpty() ? DnssecAnswer.denial(question, status, true) : DnssecAnswer.records(question, status, values);
    }

    /** The reason ValidatingResolver attached: its TXT record in ADDITIONAL, else the EDE option text. */
    static Optional<String> validationReason(Message response) {
        for (Record r : response.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.TXT && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
                return Optional.of(String.join("", ((TXTRecord) r).getStrings()));
            }
        }
        OPTRecord opt = response.getOPT();
        if (opt != null) {
            for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
                ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) option;
                return Optional.of("EDE " + ExtendedErrorCodeOption.text(ede.getErrorCode())
                    + (ede.getText() == null ? "" : ": " + ede.getText()));
            }
        }
        return Optional.empty();
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String absolute(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    static String hostName(Name name) {
        String s = name.toString(true);
        return s.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "DnssecResolver[" + serverDescription() + ", " + anchors + "]";
    }
}
