package org.jamestls.dane;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The DNS half of DANE for SMTP (RFC 7672 §2.2): is a domain's MX RRset secure, and what do an MX host's
 * TLSA records require. Stateless apart from the resolver; thread-safe.
 */
public final class DaneLookup {
    private final DnssecResolver resolver;

    public DaneLookup(DnssecResolver resolver) {
        this.resolver = resolver;
    }

    /** The domain's MX RRset and whether it validated (DANE applies only to secure ones, §2.2.1). */
    public SecureMx mx(String domain) {
        return SecureMx.from(domain, resolver.mx(domain));
    }

    /**
     * What DANE requires for one MX host. Its address records are looked up first: per §2.2.2 an MX host
     * whose addresses are not secure gets no TLSA lookup (an attacker could have redirected the
     * connection anyway), so that is INSECURE. Then TLSA at {@code _<port>._tcp.<mxHost>}.
     */
    public DaneStatus forMx(String mxHost, int port) {
        DnssecAnswer<InetAddress> addresses = resolver.addresses(mxHost);
        switch (addresses.status()) {
            case BOGUS:
                return DaneStatus.of(DaneStatus.Kind.BOGUS, mxHost, port, addresses.describe());
            case FAILED:
                return DaneStatus.of(DaneStatus.Kind.FAILED, mxHost, port, addresses.describe());
            case INSECURE:
                return DaneStatus.of(DaneStatus.Kind.INSECURE, mxHost, port, "address records not signed");
            default:
                break;
        }
        if (addresses.isDenial()) {
            return DaneStatus.of(DaneStatus.Kind.NONE, mxHost, port, "no address records");
        }
        DnssecAnswer<TlsaRecord> tlsa = resolver.tlsa(mxHost, port);
        switch (tlsa.status()) {
            case BOGUS:
                return DaneStatus.of(DaneStatus.Kind.BOGUS, mxHost, port, tlsa.describe());
            case FAILED:
                return DaneStatus.of(DaneStatus.Kind.FAILED, mxHost, port, tlsa.describe());
            case INSECURE:
                return DaneStatus.of(DaneStatus.Kind.INSECURE, mxHost, port, "TLSA records not signed");
            default:
                break;
        }
        if (tlsa.isDenial()) {
            return DaneStatus.of(DaneStatus.Kind.NONE, mxHost, port, "no TLSA records");
        }
        List<TlsaRecord> usable = tlsa.records().stream().filter(TlsaRecord::isUsableForSmtp).collect(Collectors.toList());
        if (usable.isEmpty()) {
            return DaneStatus.of(DaneStatus.Kind.SECURE_NO_USABLE, mxHost, port, "no usable TLSA record among " + tlsa.records());
        }
        return DaneStatus.usable(mxHost, port, usable);
    }

    public DnssecResolver resolver() {
        return resolver;
    }
}
