package org.jamestls.dane;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One DNSSEC-validated answer: its {@link DnssecStatus}, and for SECURE/INSECURE answers either the
 * records or a denial (NXDOMAIN or NODATA). Immutable.
 *
 * @param <T> the record value (e.g. {@link MxHost}, {@link java.net.InetAddress}, {@link TlsaRecord})
 */
public final class DnssecAnswer<T> {

    /** What a SECURE or INSECURE answer said; BOGUS and FAILED answers say nothing. */
    public enum Content {
        RECORDS,
        /** The name exists but has no record of the type asked for. */
        NO_DATA,
        /** The name does not exist. */
        NO_DOMAIN,
        /** BOGUS or FAILED: nothing can be believed. */
        NONE
    }

    private final String question;
    private final DnssecStatus status;
    private final Content content;
    private final List<T> records;
    private final Optional<String> reason;

    private DnssecAnswer(String question, DnssecStatus status, Content content, List<T> records, Optional<String> reason) {
        this.question = Objects.requireNonNull(question);
        this.status = Objects.requireNonNull(status);
        this.content = Objects.requireNonNull(content);
        this.records = Collections.unmodifiableList(new ArrayList<>(records));
        this.reason = Objects.requireNonNull(reason);
    }

    public static <T> DnssecAnswer<T> records(String question, DnssecStatus status, List<T> records) {
        requireJudged(status);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an answer with records needs records; use denial()");
        }
        return new DnssecAnswer<>(question, status, Content.RECORDS, records, Optional.empty());
    }

    public static <T> DnssecAnswer<T> denial(String question, DnssecStatus status, boolean nameExists) {
        requireJudged(status);
        return new DnssecAnswer<>(question, status, nameExists ? Content.NO_DATA : Content.NO_DOMAIN, List.of(),
            Optional.empty());
    }

    public static <T> DnssecAnswer<T> bogus(String question, String reason) {
        return new DnssecAnswer<>(question, DnssecStatus.BOGUS, Content.NONE, List.of(), Optional.of(reason));
    }

    public static <T> DnssecAnswer<T> failed(String question, String reason) {
        return new DnssecAnswer<>(question, DnssecStatus.FAILED, Content.NONE, List.of(), Optional.of(reason));
    }

    private static void requireJudged(DnssecStatus status) {
        if (status != DnssecStatus.SECURE && status != DnssecStatus.INSECURE) {
            throw new IllegalArgumentException("records or a denial are SECURE or INSECURE, not " + status);
        }
    }

    /** The question, e.g. {@code _25._tcp.mx.example. TLSA}. */
    public String question() {
        return question;
    }

    public DnssecStatus status() {
        return status;
    }

    public Content content() {
        return content;
    }

    /** The records (empty unless {@link Content#RECORDS}). */
    public List<T> records() {
        return records;
    }

    /** Why the answer is BOGUS or FAILED (the validator's or the network's words). */
    public Optional<String> reason() {
        return reason;
    }

    public boolean isSecure() {
        return status == DnssecStatus.SECURE;
    }

    /** NXDOMAIN or NODATA. */
    public boolean isDenial() {
        return content == Content.NO_DATA || content == Content.NO_DOMAIN;
    }

    /** A validated proof that there is no such record (what makes "no TLSA" trustworthy). */
    public boolean isSecureDenial() {
        return isSecure() && isDenial();
    }

    /** BOGUS or FAILED: callers should defer and try again later. */
    public boolean isTemporaryFailure() {
        return status == DnssecStatus.BOGUS || status == DnssecStatus.FAILED;
    }

    /** One line for logs: {@code mx.example. A: SECURE [192.0.2.1]} or {@code ... BOGUS (reason)}. */
    public String describe() {
        switch (content) {
            case RECORDS:
                return question + ": " + status + " " + records;
            case NO_DATA:
                return question + ": " + status + " no such record (NODATA)";
            case NO_DOMAIN:
                return question + ": " + status + " no such name (NXDOMAIN)";
            default:
                return question + ": " + status + reason.map(r -> " (" + r + ")").orElse("");
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
