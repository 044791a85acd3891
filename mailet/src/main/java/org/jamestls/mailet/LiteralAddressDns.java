package org.jamestls.mailet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InetAddresses;

/**
 * A {@link DNSService} for James's network matcher that answers IP address literals itself (no DNS query, and
 * the same answer in unit tests) and hands names to James's DNS service, or refuses them when there is none.
 */
final class LiteralAddressDns implements DNSService {
    private final Optional<DNSService> names;

    private LiteralAddressDns(Optional<DNSService> names) {
        this.names = names;
    }

    /** Literals only: a host name is an {@link UnknownHostException}. */
    static DNSService literalsOnly() {
        return new LiteralAddressDns(Optional.empty());
    }

    /** Literals here, names through {@code dns}. */
    static DNSService literalsThen(DNSService dns) {
        return new LiteralAddressDns(Optional.of(dns));
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        if (names.isEmpty()) {
            throw new UnknownHostException(host + " is not an IP address");
        }
        return names.get().getByName(host);
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host) || names.isEmpty()) {
            return List.of(getByName(host));
        }
        return names.get().getAllByName(host);
    }

    @Override
    public Collection<String> findMXRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return List.of();
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return InetAddress.getLocalHost();
    }

    @Override
    public String getHostName(InetAddress address) {
        return address.getHostAddress();
    }
}
