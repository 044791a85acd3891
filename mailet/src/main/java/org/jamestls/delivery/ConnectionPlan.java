package org.jamestls.delivery;

import java.net.InetAddress;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

/** What one connection needs: the outbound identity and how to treat STARTTLS. */
public final class ConnectionPlan {
    private final Optional<InetAddress> bindAddress;
    private final String heloName;
    private final StartTlsMode startTlsMode;
    private final SSLSocketFactory sslSocketFactory;

    public ConnectionPlan(Optional<InetAddress> bindAddress, String heloName, StartTlsMode startTlsMode,
                          SSLSocketFactory sslSocketFactory) {
        this.bindAddress = bindAddress;
        this.heloName = heloName;
        this.startTlsMode = startTlsMode;
        this.sslSocketFactory = sslSocketFactory;
    }

    public ConnectionPlan withStartTlsMode(StartTlsMode mode) {
        return new ConnectionPlan(bindAddress, heloName, mode, sslSocketFactory);
    }

    public Optional<InetAddress> bindAddress() {
        return bindAddress;
    }

    public String heloName() {
        return heloName;
    }

    public StartTlsMode startTlsMode() {
        return startTlsMode;
    }

    public SSLSocketFactory sslSocketFactory() {
        return sslSocketFactory;
    }
}
