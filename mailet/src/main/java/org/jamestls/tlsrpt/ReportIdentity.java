package org.jamestls.tlsrpt;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Objects;

import org.apache.james.core.MailAddress;

/**
 * Who sends the reports: {@code organization-name}, {@code contact-info} (an address, RFC 8460 §4.4) and the
 * submitter, the domain of that address (§5.3: {@code TLS-Report-Submitter} must match it; §5.1: the file name's
 * sender). Also makes report ids. Immutable.
 */
public final class ReportIdentity {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String organizationName;
    private final MailAddress contactInfo;

    public ReportIdentity(String organizationName, MailAddress contactInfo) {
        this.organizationName = Objects.requireNonNull(organizationName);
        this.contactInfo = Objects.requireNonNull(contactInfo);
    }

    public String organizationName() {
        return organizationName;
    }

    public String contactInfo() {
        return contactInfo.asString();
    }

    /** The domain of {@link #contactInfo()}, lower case. */
    public String submitter() {
        return contactInfo.getDomain().asString().toLowerCase(Locale.ROOT);
    }

    /**
     * A new report id, {@code <period start>.<16 hex digits>@<submitter>}, e.g.
     * {@code 20260501T000000Z.6f1c0e9a3b2d4c5e@sender.example}: unique by 64 random bits from {@link SecureRandom}
     * (also across the nodes of a cluster, which each report on their own), and shaped as the
     * {@code id-left "@" id-right} the Subject of §5.3 wants.
     */
    public String newReportId(ReportPeriod period) {
        return period.compactStart() + "." + String.format("%016x", RANDOM.nextLong()) + "@" + submitter();
    }

    /** The 16 hex digits of a report id made by {@link #newReportId}: the file name's unique-id (§5.1). */
    static String uniquePart(String reportId) {
        int dot = reportId.indexOf('.');
        int at = reportId.indexOf('@');
        String unique = dot >= 0 && at > dot ? reportId.substring(dot + 1, at) : reportId;
        return unique.replaceAll("[^A-Za-z0-9]", "");
    }
}
