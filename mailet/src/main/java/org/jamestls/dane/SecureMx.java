package org.jamestls.dane;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A domain's MX RRset as DNSSEC sees it: DANE applies only when it is SECURE (RFC 7672 §2.2.1). Immutable.
 */
public final class SecureMx {

    public enum Kind {
        /** Validated; {@link #hosts()} sorted by preference (empty when the domain securely does not exist). */
        SECURE,
        /** Not signed: no DANE for this domain. */
        INSECURE,
        /** Signatures do not validate: temporary failure. */
        BOGUS,
        /** Lookup failed: temporary failure. */
        FAILED
    }

    private final String domain;
    private final Kind kind;
    private final List<MxHost> hosts;
    private final boolean implicit;
    private final Optional<String> reason;

    private SecureMx(String domain, Kind kind, List<MxHost> hosts, boolean implicit, Optional<String> reason) {
        this.domain = Objects.requireNonNull(domain);
        this.kind = Objects.requireNonNull(kind);
        List<MxHost> sorted = new ArrayList<>(hosts);
        sorted.sort(Comparator.comparingInt(MxHost::preference));
        this.hosts = Collections.unmodifiableList(sorted);
        this.implicit = implicit;
        this.reason = Objects.requireNonNull(reason);
    }

    /** Builds the verdict from an MX answer; a secure NODATA makes the domain its own MX (RFC 5321 §5.1). */
    public static SecureMx from(String domain, DnssecAnswer<MxHost> answer) {
        switch (answer.status()) {
            case SECURE:
                if (answer.content() == DnssecAnswer.Content.NO_DATA) {
                    return new SecureMx(domain, Kind.SECURE, List.of(new MxHost(0, domain)), true, Optional.empty());
                }
                return new SecureMx(domain, Kind.SECURE, answer.records(), false,
                    answer.isDenial() ? Optional.of("no such domain") : Optional.empty());
            case INSECURE:
                return new SecureMx(domain, Kind.INSECURE, answer.records(), false, Optional.of("MX records not signed"));
            case BOGUS:
                return new SecureMx(domain, Kind.BOGUS, List.of(), false, answer.reason());
            default:
                return new SecureMx(domain, Kind.FAILED, List.of(), false, answer.reason());
        }
    }

    public String domain() {
        return domain;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isSecure() {
        return kind == Kind.SECURE;
    }

    public boolean isTemporaryFailure() {
        return kind == Kind.BOGUS || kind == Kind.FAILED;
    }

    /** MX hosts by preference (validated only if {@link #isSecure()}). */
    public List<MxHost> hosts() {
        return hosts;
    }

    /** True when there is no MX RRset and the domain itself is the (implicit) MX host. */
    public boolean isImplicit() {
        return implicit;
    }

    public Optional<String> reason() {
        return reason;
    }

    public String describe() {
        return "mx of " + domain + ": " + kind + (implicit ? " (implicit MX)" : "") + " " + hosts
            + reason.map(r -> " (" + r + ")").orElse("");
    }

    @Override
    public String toString() {
        return describe();
    }
}
