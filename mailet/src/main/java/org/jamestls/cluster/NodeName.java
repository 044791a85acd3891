package org.jamestls.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The name of this James node in logs and WebAdmin answers: the system property {@value #PROPERTY}
 * ({@code -Djamestls.node=node1}; it-tests/scripts/cluster.sh sets it), else the environment variable
 * {@value #ENVIRONMENT}, else the host name.
 */
public final class NodeName {
    public static final String PROPERTY = "jamestls.node";
    public static final String ENVIRONMENT = "JAMESTLS_NODE";

    private NodeName() {
    }

    public static String current() {
        return Optional.ofNullable(System.getProperty(PROPERTY)).filter(s -> !s.isBlank())
            .or(() -> Optional.ofNullable(System.getenv(ENVIRONMENT)).filter(s -> !s.isBlank()))
            .orElseGet(NodeName::hostName);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
