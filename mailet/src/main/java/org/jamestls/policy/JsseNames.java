package org.jamestls.policy;

import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** The protocol and cipher suite names this JDK supports, to validate tlsProtocols and tlsCiphers. */
final class JsseNames {
    static final Set<String> PROTOCOLS;
    static final Set<String> CIPHER_SUITES;

    static {
        try {
            SSLParameters supported = SSLContext.getDefault().getSupportedSSLParameters();
            PROTOCOLS = new TreeSet<>(Arrays.asList(supported.getProtocols()));
            CIPHER_SUITES = new TreeSet<>(Arrays.asList(supported.getCipherSuites()));
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JsseNames() {
    }

    /** Splits on spaces, commas or colons; every name must be supported, else empty. */
    static Optional<List<String>> parseList(String raw, Set<String> supported) {
        List<String> names = Arrays.asList(raw.trim().split("[\\s,:]+"));
        if (raw.isBlank() || !supported.containsAll(names)) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(names));
    }

    static String allowed(String what, Set<String> supported) {
        return "a space-separated list of " + what + " this JDK supports: " + String.join(" ", supported);
    }
}
