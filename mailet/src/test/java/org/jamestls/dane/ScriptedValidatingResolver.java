package org.jamestls.dane;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Stands in for dnsjava's ValidatingResolver: answers each question the way it would after validation
 * (AD for secure, SERVFAIL plus a reason TXT for bogus). Unscripted questions time out.
 */
public final class ScriptedValidatingResolver implements Resolver {
    private final Map<String, Function<Message, CompletionStage<Message>>> answers = new HashMap<>();
    /** Questions asked (what the resolver's cache saves). */
    public final AtomicInteger queries = new AtomicInteger();
    private Function<Message, CompletionStage<Message>> otherwise = q -> new CompletableFuture<>();

    public static DnssecResolver resolverOver(ScriptedValidatingResolver scripted) {
        return new DnssecResolver(scripted, new InetSocketAddress("127.0.0.1", 53), TrustAnchors.root(), Duration.ofMillis(100));
    }

    /** The same, with the answer cache on {@code clock}. */
    public static DnssecResolver resolverOver(ScriptedValidatingResolver scripted, Clock clock) {
        return new DnssecResolver(scripted, new InetSocketAddress("127.0.0.1", 53), TrustAnchors.root(),
            Duration.ofMillis(100), clock);
    }

    private static String key(String name, int type) {
        return DnssecResolver.absolute(name).toLowerCase() + " " + Type.string(type);
    }

    public ScriptedValidatingResolver secure(String name, int type, String... rdata) {
        return answer(name, type, Rcode.NOERROR, true, rdata);
    }

    public ScriptedValidatingResolver insecure(String name, int type, String... rdata) {
        return answer(name, type, Rcode.NOERROR, false, rdata);
    }

    public ScriptedValidatingResolver nxdomain(String name, int type, boolean secure) {
        return answer(name, type, Rcode.NXDOMAIN, secure);
    }

    /** A secure answer whose records have this TTL. */
    public ScriptedValidatingResolver secureWithTtl(String name, int type, long ttl, String... rdata) {
        answers.put(key(name, type), q -> CompletableFuture.completedFuture(reply(q, Rcode.NOERROR, true, ttl, name, type,
            rdata)));
        return this;
    }

    /** A secure NXDOMAIN with the zone's SOA in AUTHORITY (TTL and MINIMUM decide negative caching). */
    public ScriptedValidatingResolver nxdomainWithSoa(String name, int type, long soaTtl, long soaMinimum) {
        answers.put(key(name, type), q -> {
            Message m = reply(q, Rcode.NXDOMAIN, true);
            try {
                m.addRecord(new SOARecord(Name.fromString("dane.test."), DClass.IN, soaTtl, Name.fromString("ns.dane.test."),
                    Name.fromString("hostmaster.dane.test."), 1, 3600, 600, 86400, soaMinimum), Section.AUTHORITY);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
            return CompletableFuture.completedFuture(m);
        });
        return this;
    }

    /** Questions not scripted otherwise get a secure answer with these records (instead of no answer at all). */
    public ScriptedValidatingResolver otherwiseSecure(int type, String rdata) {
        otherwise = q -> CompletableFuture.completedFuture(q.getQuestion().getType() == type
            ? reply(q, Rcode.NOERROR, true, 60, q.getQuestion().getName().toString(), type, rdata)
            : reply(q, Rcode.NOERROR, true));
        return this;
    }

    public ScriptedValidatingResolver bogus(String name, int type, String reason) {
        answers.put(key(name, type), q -> {
            Message m = reply(q, Rcode.SERVFAIL, false);
            m.addRecord(new TXTRecord(Name.root, ValidatingResolver.VALIDATION_REASON_QCLASS, 0, List.of(reason)), Section.ADDITIONAL);
            return CompletableFuture.completedFuture(m);
        });
        return this;
    }

    /** What ValidatingResolver makes of an upstream SERVFAIL. */
    public ScriptedValidatingResolver upstreamServfail(String name, int type) {
        return bogus(name, type, "Response subtype is UNKNOWN and thus cannot be validated.");
    }

    public ScriptedValidatingResolver unreachable(String name, int type) {
        answers.put(key(name, type), q -> CompletableFuture.failedFuture(new IOException("Timed out while trying to resolve")));
        return this;
    }

    private ScriptedValidatingResolver answer(String name, int type, int rcode, boolean secure, String... rdata) {
        answers.put(key(name, type), q -> {
            Message m = reply(q, rcode, secure);
            for (String data : rdata) {
                try {
                    m.addRecord(Record.fromString(Name.fromString(DnssecResolver.absolute(name)), type, 1, 60, data, Name.root),
                        Section.ANSWER);
                } catch (IOException e) {
                    throw new IllegalArgumentException(e);
                }
            }
            return CompletableFuture.completedFuture(m);
        });
        return this;
    }

    private static Message reply(Message query, int rcode, boolean secure, long ttl, String name, int type, String... rdata) {
        Message m = reply(query, rcode, secure);
        for (String data : rdata) {
            try {
                m.addRecord(Record.fromString(Name.fromString(DnssecResolver.absolute(name)), type, 1, ttl, data, Name.root),
                    Section.ANSWER);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return m;
    }

    private static Message reply(Message query, int rcode, boolean secure) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        if (secure) {
            m.getHeader().setFlag(Flags.AD);
        }
        m.addRecord(query.getQuestion(), Section.QUESTION);
        return m;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        Record q = query.getQuestion();
        queries.incrementAndGet();
        Function<Message, CompletionStage<Message>> a = answers.get(q.getName().toString().toLowerCase() + " " + Type.string(q.getType()));
        return a == null ? otherwise.apply(query) : a.apply(query);
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }
}
