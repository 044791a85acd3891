package org.jamestls.brokentls;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * What a broken TLS handshake is remembered for: the MX address and port dialled, and the local source address
 * it was dialled from (a binding's {@code bindAddress}; empty for the host's default). The source is part of the
 * key because each binding is its own outbound identity: a receiver (or a box on the path) may treat source
 * addresses differently, and one binding's failure should not send another binding's mail in plaintext. The TLS
 * client settings (tlsProtocols, tlsCiphers, client certificate) are not: the memory is about the receiver, and an
 * operator forgets an entry by the receiver's address. Immutable.
 */
public final class BrokenTlsKey {
    static final Comparator<BrokenTlsKey> ORDER = Comparator
        .comparing((BrokenTlsKey key) -> key.address.getHostAddress())
        .thenComparingInt(key -> key.port)
        .thenComparing(key -> key.source.map(InetAddress::getHostAddress).orElse(""));

    private final InetAddress address;
    private final int port;
    private final Optional<InetAddress> source;

    private BrokenTlsKey(InetAddress address, int port, Optional<InetAddress> source) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.address = Objects.requireNonNull(address, "address");
        this.port = port;
        this.source = Objects.requireNonNull(source, "source");
    }

    /** @param source the binding's source address, or empty for the host's default */
    public static BrokenTlsKey of(InetAddress address, int port, Optional<InetAddress> source) {
        return new BrokenTlsKey(address, port, source);
    }

    public InetAddress address() {
        return address;
    }

    public int port() {
        return port;
    }

    public Optional<InetAddress> source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BrokenTlsKey)) {
            return false;
        }
        BrokenTlsKey other = (BrokenTlsKey) o;
        return address.equals(other.address) && port == other.port && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, port, source);
    }

    /** E.g. {@code [192.0.2.25]:25 from 192.0.2.10}, or {@code from default}. */
    @Override
    public String toString() {
        return "[" + address.getHostAddress() + "]:" + port + " from "
            + source.map(InetAddress::getHostAddress).orElse("default");
    }
}
