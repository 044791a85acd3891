package org.jamestls.dane;

import java.util.Objects;
import java.util.Optional;

/** The outcome of matching a certificate chain against TLSA records: which record, or why none. Immutable. */
public final class TlsaMatch {
    private final Optional<TlsaRecord> record;
    private final String description;

    private TlsaMatch(Optional<TlsaRecord> record, String description) {
        this.record = record;
        this.description = Objects.requireNonNull(description);
    }

    static TlsaMatch matched(TlsaRecord record, String how) {
        return new TlsaMatch(Optional.of(record), how);
    }

    static TlsaMatch none(String why) {
        return new TlsaMatch(Optional.empty(), why);
    }

    public boolean isMatch() {
        return record.isPresent();
    }

    /** The record that authenticated the peer. */
    public Optional<TlsaRecord> record() {
        return record;
    }

    /** {@code "dane-ee 3 1 1 ..."} / {@code "dane-ta 2 0 1 ... (depth 1, CN=...)"}, or why nothing matched. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
