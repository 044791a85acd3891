package org.jamestls.it.support;

/** One smtpd listener of {@link PostfixReceivers}: a name, its own loopback address, the shared port. */
public final class ReceiverListener {

    private final String name;
    private final String ip;
    private final int port;
    private final TlsMode initialMode;

    public ReceiverListener(String name, String ip, int port, TlsMode initialMode) {
        if (!ip.startsWith("127.")) {
            throw new IllegalArgumentException("Receivers must listen on loopback, not " + ip);
        }
        this.name = name;
        this.ip = ip;
        this.port = port;
        this.initialMode = initialMode;
    }

    public String name() {
        return name;
    }

    public String ip() {
        return ip;
    }

    public int port() {
        return port;
    }

    public TlsMode initialMode() {
        return initialMode;
    }

    /** The myhostname this listener announces and writes into "Received: ... by HOSTNAME (Postfix)". */
    public String myhostname() {
        return name + TestNetwork.RECEIVER_HOSTNAME_SUFFIX;
    }

    @Override
    public String toString() {
        return name + "@" + ip + ":" + port;
    }
}
