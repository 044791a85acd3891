package org.jamestls.delivery.outcome;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** One address of one MX host, in the order delivery should try it. */
public final class MxTarget {
    private final String mxHost;
    private final InetAddress address;
    private final int port;

    public MxTarget(String mxHost, InetAddress address, int port) {
        this.mxHost = mxHost;
        this.address = address;
        this.port = port;
    }

    public String mxHost() {
        return mxHost;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        return mxHost + " [" + address.getHostAddress() + "]:" + port;
    }
}
