package org.jamestls.it.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The records {@link DnsServer} serves: MX (domain, host, preference), A (host, IPv4) and TXT (name, strings).
 * Immutable; build with {@link #builder()} or extend with {@link #toBuilder()}.
 * A domain with only an A record (no MX) is answered as such, so James falls back to the A record.
 */
public final class DnsRecords {

    public static final class Mx {
        public final String domain;
        public final String host;
        public final int preference;

        Mx(String domain, String host, int preference) {
            this.domain = domain;
            this.host = host;
            this.preference = preference;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mx && ((Mx) o).domain.equals(domain) && ((Mx) o).host.equals(host)
                && ((Mx) o).preference == preference;
        }

        @Override
        public int hashCode() {
            return Objects.hash(domain, host, preference);
        }

        @Override
        public String toString() {
            return domain + " MX " + preference + " " + host;
        }
    }

    public static final class A {
        public final String host;
        public final String ip;

        A(String host, String ip) {
            this.host = host;
            this.ip = ip;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof A && ((A) o).host.equals(host) && ((A) o).ip.equals(ip);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, ip);
        }

        @Override
        public String toString() {
            return host + " A " + ip;
        }
    }

    /**
     * A TXT record: one or more character-strings (a reader such as MTA-STS or SPF concatenates them). dnsmasq reads
     * each string quoted from a conf file ({@code DnsServer}), so a string may contain a comma (a TLSRPT record's
     * {@code rua} list) but not a double quote or a backslash.
     */
    public static final class Txt {
        public final String name;
        public final List<String> strings;

        Txt(String name, List<String> strings) {
            if (strings.isEmpty()) {
                throw new IllegalArgumentException("TXT record " + name + " needs at least one string");
            }
            for (String s : strings) {
                if (s.contains("\"") || s.contains("\\")) {
                    throw new IllegalArgumentException("TXT string for " + name
                        + " may not contain a quote or backslash: " + s);
                }
            }
            this.name = name;
            this.strings = Collections.unmodifiableList(new ArrayList<>(strings));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Txt && ((Txt) o).name.equals(name) && ((Txt) o).strings.equals(strings);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, strings);
        }

        @Override
        public String toString() {
            return name + " TXT " + strings;
        }
    }

    /** Queries for a domain (and names below it) that dnsmasq forwards to another server ({@code --server=/domain/ip#port}). */
    public static final class Forward {
        public final String domain;
        public final String server;
        public final int port;

        Forward(String domain, String server, int port) {
            this.domain = domain;
            this.server = server;
            this.port = port;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Forward && ((Forward) o).domain.equals(domain) && ((Forward) o).server.equals(server)
                && ((Forward) o).port == port;
        }

        @Override
        public int hashCode() {
            return Objects.hash(domain, server, port);
        }

        @Override
        public String toString() {
            return domain + " -> " + server + "#" + port;
        }
    }

    private final List<Mx> mx;
    private final List<A> a;
    private final List<String> unanswered;
    private final List<String> servfail;
    private final List<Txt> txt;
    private final List<Forward> forwards;

    private DnsRecords(List<Mx> mx, List<A> a, List<String> unanswered, List<String> servfail, List<Txt> txt,
                       List<Forward> forwards) {
        this.mx = Collections.unmodifiableList(new ArrayList<>(mx));
        this.a = Collections.unmodifiableList(new ArrayList<>(a));
        this.unanswered = Collections.unmodifiableList(new ArrayList<>(unanswered));
        this.servfail = Collections.unmodifiableList(new ArrayList<>(servfail));
        this.txt = Collections.unmodifiableList(new ArrayList<>(txt));
        this.forwards = Collections.unmodifiableList(new ArrayList<>(forwards));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DnsRecords empty() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mx.addAll(mx);
        b.a.addAll(a);
        b.unanswered.addAll(unanswered);
        b.servfail.addAll(servfail);
        b.txt.addAll(txt);
        b.forwards.addAll(forwards);
        return b;
    }

    public List<Mx> mxRecords() {
        return mx;
    }

    public List<A> aRecords() {
        return a;
    }

    public List<Txt> txtRecords() {
        return txt;
    }

    /** Domains whose queries are never answered (the resolver times out: a temporary failure). */
    public List<String> unansweredDomains() {
        return unanswered;
    }

    /** Domains answered by another server (e.g. {@link KnotDns}'s DNSSEC zones). */
    public List<Forward> forwardedDomains() {
        return forwards;
    }

    /** Domains whose queries are answered SERVFAIL (a broken authoritative server: a temporary failure). */
    public List<String> servfailDomains() {
        return servfail;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DnsRecords)) {
            return false;
        }
        DnsRecords other = (DnsRecords) o;
        return mx.equals(other.mx) && a.equals(other.a) && unanswered.equals(other.unanswered)
            && servfail.equals(other.servfail) && txt.equals(other.txt) && forwards.equals(other.forwards);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mx, a, unanswered, servfail, txt, forwards);
    }

    @Override
    public String toString() {
        return "DnsRecords" + mx + a + (txt.isEmpty() ? "" : txt.toString());
    }

    public static final class Builder {
        private final List<Mx> mx = new ArrayList<>();
        private final List<A> a = new ArrayList<>();
        private final List<String> unanswered = new ArrayList<>();
        private final List<String> servfail = new ArrayList<>();

        /** Queries for {@code domain} are answered SERVFAIL (by {@link ServfailResponder}, through dnsmasq). */
        public Builder servfail(String domain) {
            if (!servfail.contains(lower(domain))) {
                servfail.add(lower(domain));
            }
            return this;
        }

        private final List<Txt> txt = new ArrayList<>();
        private final List<Forward> forwards = new ArrayList<>();

        /** Queries for {@code domain} and below go to {@code server:port} (dnsmasq {@code --server=/domain/server#port}). */
        public Builder forward(String domain, String server, int port) {
            Forward f = new Forward(lower(domain), server, port);
            if (!forwards.contains(f)) {
                forwards.add(f);
            }
            return this;
        }

        /** Queries for {@code domain} go to a server that never answers, so they time out. */
        public Builder unanswered(String domain) {
            if (!unanswered.contains(lower(domain))) {
                unanswered.add(lower(domain));
            }
            return this;
        }

        public Builder mx(String domain, String host, int preference) {
            Mx r = new Mx(lower(domain), lower(host), preference);
            if (!mx.contains(r)) {
                mx.add(r);
            }
            return this;
        }

        public Builder a(String host, String ip) {
            A r = new A(lower(host), ip);
            if (!a.contains(r)) {
                a.add(r);
            }
            return this;
        }

        /** Adds a TXT record of one or more strings; a name may have several TXT records. */
        public Builder txt(String name, String... strings) {
            Txt r = new Txt(lower(name), List.of(strings));
            if (!txt.contains(r)) {
                txt.add(r);
            }
            return this;
        }

        /** The MTA-STS announcement of {@code domain}: {@code _mta-sts.<domain> TXT "v=STSv1; id=<id>"}. */
        public Builder mtaSts(String domain, String id) {
            return txt("_mta-sts." + domain, "v=STSv1; id=" + id);
        }

        /** Removes every TXT record of the name (e.g. "_mta-sts.dest.test"). */
        public Builder removeTxt(String name) {
            String n = lower(name);
            txt.removeIf(r -> r.name.equals(n));
            return this;
        }

        /** Removes every MX record of the name, every A and TXT record of it, and its unanswered and servfail marks. */
        public Builder remove(String name) {
            String n = lower(name);
            mx.removeIf(r -> r.domain.equals(n));
            a.removeIf(r -> r.host.equals(n));
            txt.removeIf(r -> r.name.equals(n));
            unanswered.remove(n);
            servfail.remove(n);
            forwards.removeIf(f -> f.domain.equals(n));
            return this;
        }

        /** Adds every record of {@code more} that is not here yet. */
        public Builder addAll(DnsRecords more) {
            more.mx.forEach(r -> mx(r.domain, r.host, r.preference));
            more.a.forEach(r -> a(r.host, r.ip));
            more.txt.forEach(r -> txt(r.name, r.strings.toArray(String[]::new)));
            more.unanswered.forEach(this::unanswered);
            more.servfail.forEach(this::servfail);
            more.forwards.forEach(f -> forward(f.domain, f.server, f.port));
            return this;
        }

        public DnsRecords build() {
            return new DnsRecords(mx, a, unanswered, servfail, txt, forwards);
        }

        private static String lower(String s) {
            return s.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
