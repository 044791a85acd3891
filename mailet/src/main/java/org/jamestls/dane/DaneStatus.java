package org.jamestls.dane;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What DANE (RFC 7672 §2.2) requires for one MX host and port. Immutable. */
public final class DaneStatus {

    public enum Kind {
        /** Secure TLSA RRset with usable records: TLS mandatory, the peer must match one ({@link #records()}). */
        USABLE,
        /** Secure TLSA RRset, none usable (e.g. only PKIX usages): TLS mandatory, not authenticated (§2.2). */
        SECURE_NO_USABLE,
        /** Securely no TLSA records (or no address): DANE does not apply to this host. */
        NONE,
        /** The MX host's address or TLSA records are not signed: fall back to the other policies. */
        INSECURE,
        /** Signatures do not validate: a temporary failure (defer; try another MX). */
        BOGUS,
        /** The lookup failed (time-out, SERVFAIL): a temporary failure. */
        FAILED
    }

    private final Kind kind;
    private final String mxHost;
    private final int port;
    private final List<TlsaRecord> records;
    private final Optional<String> reason;

    private DaneStatus(Kind kind, String mxHost, int port, List<TlsaRecord> records, Optional<String> reason) {
        this.kind = Objects.requireNonNull(kind);
        this.mxHost = Objects.requireNonNull(mxHost);
        this.port = port;
        this.records = Collections.unmodifiableList(new ArrayList<>(records));
        this.reason = Objects.requireNonNull(reason);
    }

    public static DaneStatus usable(String mxHost, int port, List<TlsaRecord> usable) {
        if (usable.isEmpty() || !usable.stream().allMatch(TlsaRecord::isUsableForSmtp)) {
            throw new IllegalArgumentException("USABLE needs usable TLSA records, got " + usable);
        }
        return new DaneStatus(Kind.USABLE, mxHost, port, usable, Optional.empty());
    }

    public static DaneStatus of(Kind kind, String mxHost, int port, String reason) {
        if (kind == Kind.USABLE) {
            throw new IllegalArgumentException("use usable()");
        }
        return new DaneStatus(kind, mxHost, port, List.of(), Optional.of(reason));
    }

    public Kind kind() {
        return kind;
    }

    public String mxHost() {
        return mxHost;
    }

    public int port() {
        return port;
    }

    /** The usable TLSA records (only for {@link Kind#USABLE}). */
    public List<TlsaRecord> records() {
        return records;
    }

    /** Why the kind was decided (everything but USABLE). */
    public Optional<String> reason() {
        return reason;
    }

    /** USABLE or SECURE_NO_USABLE: the session must use TLS, whatever the other policies say. */
    public boolean requiresTls() {
        return kind == Kind.USABLE || kind == Kind.SECURE_NO_USABLE;
    }

    /** USABLE: the certificate must match a record ({@link #trustManager}). */
    public boolean authenticates() {
        return kind == Kind.USABLE;
    }

    /** BOGUS or FAILED: defer this MX (4.x.x), do not fall back to a weaker policy. */
    public boolean isTemporaryFailure() {
        return kind == Kind.BOGUS || kind == Kind.FAILED;
    }

    /** NONE or INSECURE: DANE says nothing; the other TLS policies decide. */
    public boolean fallsBack() {
        return kind == Kind.NONE || kind == Kind.INSECURE;
    }

    /**
     * The trust manager for a USABLE status, with the MX host as reference name followed by
     * {@code moreNames} (RFC 7672 §3.2.2 allows the next-hop domain, i.e. the recipient domain).
     */
    public DaneTrustManager trustManager(String... moreNames) {
        if (kind != Kind.USABLE) {
            throw new IllegalStateException("no TLSA records to authenticate with: " + describe());
        }
        List<String> names = new ArrayList<>();
        names.add(mxHost);
        names.addAll(List.of(moreNames));
        return new DaneTrustManager(records, new ReferenceNames(names));
    }

    /** One line for logs and DSNs, e.g. {@code dane=usable for mx.example:25 (3 1 1 ab12..)}. */
    public String describe() {
        String where = mxHost + ":" + port;
        switch (kind) {
            case USABLE:
                return "dane=usable for " + where + " " + records;
            case SECURE_NO_USABLE:
                return "dane=secure-no-usable for " + where + " (" + reason.orElse("") + "): TLS required, not authenticated";
            default:
                return "dane=" + kind.name().toLowerCase(java.util.Locale.ROOT) + " for " + where
                    + reason.map(r -> " (" + r + ")").orElse("");
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
