package org.jamestls.dane;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.jamestls.names.HostNames;

/**
 * RFC 7672 §3.2.2-3.2.3 name checks for DANE-TA(2): the leaf certificate must name one of the reference
 * identifiers (the TLSA base domain, i.e. the MX host, and optionally the next-hop domain). DNS-ID
 * (subjectAltName dNSName) first; the subject CN only when there is no dNSName at all. A wildcard is
 * {@code *} as the whole left-most label and stands for exactly one label. Immutable.
 */
public final class ReferenceNames {
    private static final int DNS_NAME = 2;

    private final List<String> names;

    public ReferenceNames(List<String> names) {
        List<String> normal = new ArrayList<>();
        for (String n : names) {
            String v = HostNames.normalize(n);
            if (!v.isEmpty() && !normal.contains(v)) {
                normal.add(v);
            }
        }
        if (normal.isEmpty()) {
            throw new IllegalArgumentException("DANE-TA needs at least one reference name (the MX host)");
        }
        this.names = Collections.unmodifiableList(normal);
    }

    public static ReferenceNames of(String... names) {
        return new ReferenceNames(List.of(names));
    }

    public List<String> names() {
        return names;
    }

    /** Whether the certificate's DNS-IDs (or, lacking any, its CN) match one reference name. */
    public boolean matches(X509Certificate leaf) {
        for (String presented : presentedNames(leaf)) {
            for (String reference : names) {
                if (matches(presented, reference)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The names the certificate offers: its dNSNames, or its CNs when it has none. */
    public static List<String> presentedNames(X509Certificate leaf) {
        List<String> dnsNames = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(DNS_NAME).equals(san.get(0)) && san.get(1) instanceof String) {
                        dnsNames.add(HostNames.normalize((String) san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparseable SAN extension offers no name
            return List.of();
        }
        if (!dnsNames.isEmpty()) {
            return dnsNames;
        }
        List<String> cns = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cns.add(HostNames.normalize(rdn.getValue().toString()));
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return cns;
    }

    static boolean matches(String presented, String reference) {
        if (presented.equals(reference)) {
            return true;
        }
        if (presented.startsWith("*.")) {
            String suffix = presented.substring(1); // ".example.com"
            int firstDot = reference.indexOf('.');
            // the wildcard replaces exactly one whole label, and never matches a bare suffix
            return firstDot > 0 && reference.substring(firstDot).equals(suffix) && suffix.indexOf('.', 1) > 0;
        }
        return false;
    }


    @Override
    public String toString() {
        return names.toString();
    }
}
