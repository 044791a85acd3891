package org.jamestls.tlsrpt;

import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetConfig;

/**
 * The mailet parameters of TLS reporting, read once at start-up:
 * <ul>
 * <li>{@code tlsRptFrom}: the report mail's sender address; required when {@code tlsRpt} is on in some scope of
 *     the policy (else start-up fails naming it);</li>
 * <li>{@code tlsRptContact}: the report's {@code contact-info}, an address (default: {@code tlsRptFrom}); its
 *     domain is the submitter ({@code TLS-Report-Submitter}, the file name's first part);</li>
 * <li>{@code tlsRptOrganization}: the report's {@code organization-name} (default: the submitter domain);</li>
 * <li>{@code tlsRptStore}: James FileSystem URL of the directory of counters and journals
 *     (default {@value #DEFAULT_STORE});</li>
 * <li>{@code tlsRptCa}: James FileSystem URL of a PEM bundle of the authorities trusted for {@code https:} report
 *     endpoints instead of the JDK's trust store (a private collector, the tests' CA).</li>
 * </ul>
 * A bad value is a start-up error naming the mailet, the parameter, the value and what is allowed, also when
 * {@code tlsRpt} is off everywhere. Immutable.
 */
public final class TlsRptSettings {
    public static final String FROM = "tlsRptFrom";
    public static final String CONTACT = "tlsRptContact";
    public static final String ORGANIZATION = "tlsRptOrganization";
    public static final String STORE = "tlsRptStore";
    public static final String CA = "tlsRptCa";
    /** For the mailet's list of known parameters. */
    public static final Set<String> PARAMETER_NAMES = Set.of(FROM, CONTACT, ORGANIZATION, STORE, CA);
    public static final String DEFAULT_STORE = "file://var/tlsrpt";
    static final int MAX_ORGANIZATION_LENGTH = 200;

    private final MailAddress from;
    private final ReportIdentity identity;
    private final String storeUrl;
    private final Optional<String> caUrl;

    TlsRptSettings(MailAddress from, ReportIdentity identity, String storeUrl) {
        this(from, identity, storeUrl, Optional.empty());
    }

    TlsRptSettings(MailAddress from, ReportIdentity identity, String storeUrl, Optional<String> caUrl) {
        this.from = from;
        this.identity = identity;
        this.storeUrl = storeUrl;
        this.caUrl = caUrl;
    }

    /**
     * @param tlsRptOnSomewhere whether some scope of the loaded policy has {@code tlsRpt on}
     * @return empty when reporting is off everywhere (after checking the values given)
     */
    public static Optional<TlsRptSettings> from(MailetConfig config, boolean tlsRptOnSomewhere) throws MessagingException {
        Optional<MailAddress> from = address(config, FROM);
        if (from.isEmpty() && tlsRptOnSomewhere) {
            throw new MessagingException("Invalid configuration of mailet " + config.getMailetName()
                + " in mailetcontainer.xml: <" + FROM + "> is required because tlsRpt is on in the TLS policy: it is the"
                + " sender address of TLS report mail, e.g. <" + FROM + ">tlsrpt@example.org</" + FROM + ">");
        }
        Optional<MailAddress> contact = address(config, CONTACT);
        Optional<String> organization = value(config, ORGANIZATION);
        if (organization.isPresent() && (organization.get().length() > MAX_ORGANIZATION_LENGTH
                || !organization.get().matches("[\\x20-\\x7E]+"))) {
            throw invalid(config, ORGANIZATION, organization.get(),
                "printable ASCII text of at most " + MAX_ORGANIZATION_LENGTH + " characters");
        }
        String store = value(config, STORE).orElse(DEFAULT_STORE);
        Optional<String> ca = value(config, CA);
        if (!tlsRptOnSomewhere) {
            return Optional.empty();
        }
        MailAddress contactInfo = contact.orElse(from.get());
        ReportIdentity identity = new ReportIdentity(
            organization.orElse(contactInfo.getDomain().asString()), contactInfo);
        return Optional.of(new TlsRptSettings(from.get(), identity, store, ca));
    }

    private static Optional<MailAddress> address(MailetConfig config, String name) throws MessagingException {
        Optional<String> raw = value(config, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            MailAddress address = new MailAddress(raw.get());
            if (!address.getDomain().asString().contains(".")) {
                throw invalid(config, name, raw.get(), "an address with a fully qualified domain, e.g. tlsrpt@example.org");
            }
            return Optional.of(address);
        } catch (AddressException e) {
            throw invalid(config, name, raw.get(), "a mail address, e.g. tlsrpt@example.org (" + e.getMessage() + ")");
        }
    }

    private static Optional<String> value(MailetConfig config, String name) {
        return Optional.ofNullable(config.getInitParameter(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static MessagingException invalid(MailetConfig config, String name, String value, String allowed) {
        return new MessagingException("Invalid configuration of mailet " + config.getMailetName()
            + " in mailetcontainer.xml: <" + name + ">" + value + "</" + name + "> is not valid; allowed: " + allowed);
    }

    /** The report mail's sender. */
    public MailAddress from() {
        return from;
    }

    public ReportIdentity identity() {
        return identity;
    }

    /** James FileSystem URL of the store directory. */
    public String storeUrl() {
        return storeUrl;
    }

    /** James FileSystem URL of the authorities for https: endpoints; empty: the JDK's trust store. */
    public Optional<String> caUrl() {
        return caUrl;
    }

    @Override
    public String toString() {
        return "TLS reports from " + from.asString() + " as " + identity.organizationName() + " <"
            + identity.contactInfo() + ">, store " + storeUrl + ", https trust " + caUrl.orElse("the JDK's trust store");
    }
}
