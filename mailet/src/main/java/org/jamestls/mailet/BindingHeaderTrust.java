package org.jamestls.mailet;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.library.inetnetwork.InetNetworkBuilder;
import org.apache.james.dnsservice.library.netmatcher.NetMatcher;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.net.InetAddresses;

/**
 * Whose binding header counts ({@code bindingHeaderFrom}). The header is written by the sender, and a binding's
 * {@code tls} outranks the global domain stanza, so a header from anyone who may relay could lower the TLS level
 * of a domain the operator requires TLS for. A mail is judged by how James received it:
 * <ul>
 * <li>SMTP-authenticated ({@link Mail#SMTP_AUTH_USER}): trusted only under {@code authenticated} or
 *     {@code user:NAME}, whatever address it came from (a webmail on an authorized host submits for its users);</li>
 * <li>unauthenticated SMTP ({@link Mail#SMTP_SESSION_ID} set): trusted when {@link Mail#getRemoteAddr()} is in one
 *     of the listed networks, or in smtpserver.xml's {@code authorizedAddresses} under that keyword (the operator's
 *     own injectors);</li>
 * <li>not received over SMTP (a mail a mailet created, e.g. a Sieve redirect of an inbound mail): trusted only under
 *     {@code anyone}.</li>
 * </ul>
 * The attribute {@code jamestls.binding}, set by an earlier mailet, is the operator's and is not judged here.
 */
public final class BindingHeaderTrust {
    private static final Logger LOGGER = LoggerFactory.getLogger(BindingHeaderTrust.class);
    public static final String PARAMETER = "bindingHeaderFrom";
    /** The operator's injectors: James's relay networks, without authentication. */
    public static final String DEFAULT = "authorizedAddresses";
    static final String AUTHORIZED_ADDRESSES = "authorizedaddresses";
    static final String AUTHENTICATED = "authenticated";
    static final String USER_PREFIX = "user:";
    static final String ANYONE = "anyone";
    static final String NOBODY = "nobody";
    /** What the parameter may say, for start-up errors. */
    public static final String ALLOWED = "a comma-separated list of: authorizedAddresses (the networks of"
        + " <authorizedAddresses> in smtpserver.xml, for mail relayed without SMTP AUTH), IP addresses or networks in"
        + " the same syntax (192.0.2.7, 192.0.2.0/24, 10.1.*, 2001:db8::/32), authenticated (any SMTP-authenticated"
        + " user), user:NAME (that SMTP AUTH user); or anyone alone; or nobody alone";

    /** Reads smtpserver.xml's authorizedAddresses when the parameter names them. */
    @FunctionalInterface
    public interface AuthorizedAddressesSource {
        List<String> entries() throws javax.mail.MessagingException;
    }

    private final String description;
    private final boolean anyone;
    private final boolean anyAuthenticatedUser;
    private final Set<String> users;
    private final Optional<NetMatcher> networks;

    private BindingHeaderTrust(String description, boolean anyone, boolean anyAuthenticatedUser, Set<String> users,
                               Optional<NetMatcher> networks) {
        this.description = description;
        this.anyone = anyone;
        this.anyAuthenticatedUser = anyAuthenticatedUser;
        this.users = Set.copyOf(users);
        this.networks = networks;
    }

    /** Every header counts (what the mailet did before this parameter existed). */
    public static BindingHeaderTrust anyone() {
        return new BindingHeaderTrust(ANYONE, true, false, Set.of(), Optional.empty());
    }

    /**
     * @param value the parameter, e.g. {@code authorizedAddresses, 192.0.2.0/24, user:injector@example.org}
     * @param authorizedAddresses read only if {@code value} names them
     * @param dns resolves host names among the authorizedAddresses entries (as James does); literals need no DNS
     * @throws IllegalArgumentException naming the entry that is not allowed
     */
    public static BindingHeaderTrust parse(String value, AuthorizedAddressesSource authorizedAddresses, DNSService dns)
            throws javax.mail.MessagingException {
        List<String> entries = new ArrayList<>();
        for (String entry : value.trim().split("[,\\s]+")) {
            if (!entry.isEmpty() && !entries.contains(entry)) {
                entries.add(entry);
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the list is empty (write nobody to ignore every header)");
        }
        boolean anyAuthenticatedUser = false;
        Set<String> users = new LinkedHashSet<>();
        List<String> networks = new ArrayList<>();
        for (String entry : entries) {
            String keyword = entry.toLowerCase(Locale.ROOT);
            if (keyword.equals(ANYONE) || keyword.equals(NOBODY)) {
                if (entries.size() > 1) {
                    throw new IllegalArgumentException(entry + " must stand alone");
                }
                return keyword.equals(ANYONE) ? anyone()
                    : new BindingHeaderTrust(NOBODY, false, false, Set.of(), Optional.empty());
            } else if (keyword.equals(AUTHENTICATED)) {
                anyAuthenticatedUser = true;
            } else if (keyword.startsWith(USER_PREFIX)) {
                String user = entry.substring(USER_PREFIX.length());
                if (user.isEmpty()) {
                    throw new IllegalArgumentException("user: needs a user name, e.g. user:injector@example.org");
                }
                users.add(user.toLowerCase(Locale.ROOT));
            } else if (keyword.equals(AUTHORIZED_ADDRESSES)) {
                List<String> authorized = authorizedAddresses.entries();
                if (authorized.isEmpty()) {
                    LOGGER.warn("{} names authorizedAddresses, but smtpserver.xml lists none: no unauthenticated"
                        + " mail may choose a binding on that ground", PARAMETER);
                }
                networks.addAll(authorized);
            } else {
                requireNetwork(entry);
                networks.add(entry);
            }
        }
        Optional<NetMatcher> matcher = networks.isEmpty() ? Optional.empty()
            : Optional.of(new NetMatcher(networks, LiteralAddressDns.literalsThen(dns)));
        return new BindingHeaderTrust(String.join(", ", entries) + matcher.map(m -> " " + m).orElse(""), false,
            anyAuthenticatedUser, users, matcher);
    }

    /** An address or network in James's syntax, written with IP literals (no host names: a typo must not resolve). */
    private static void requireNetwork(String entry) {
        try {
            new InetNetworkBuilder(LiteralAddressDns.literalsOnly()).getFromString(entry);
        } catch (Exception e) {
            throw new IllegalArgumentException("'" + entry + "' is neither a keyword nor an IP address or network");
        }
    }

    /** Whether the binding header of {@code mail} counts; when it does not, why (for the log line). */
    public Optional<String> whyUntrusted(Mail mail) {
        if (anyone) {
            return Optional.empty();
        }
        Optional<String> user = AttributeUtils.getValueAndCastFromMail(mail, Mail.SMTP_AUTH_USER, String.class);
        if (user.isPresent()) {
            boolean trusted = anyAuthenticatedUser || users.contains(user.get().toLowerCase(Locale.ROOT));
            return trusted ? Optional.empty() : Optional.of("SMTP AUTH user " + user.get() + " is not trusted");
        }
        if (mail.getAttribute(Mail.SMTP_SESSION_ID).isEmpty()) {
            return Optional.of("the mail was not received over SMTP (created inside James)");
        }
        Optional<InetAddress> remote = remoteAddress(mail);
        if (remote.isPresent() && networks.map(n -> n.matchInetNetwork(remote.get())).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of("unauthenticated mail from " + mail.getRemoteAddr() + " is not from a trusted network");
    }

    private static Optional<InetAddress> remoteAddress(Mail mail) {
        String address = mail.getRemoteAddr();
        return address != null && InetAddresses.isInetAddress(address) ? Optional.of(InetAddresses.forString(address))
            : Optional.empty();
    }

    @Override
    public String toString() {
        return description;
    }
}
