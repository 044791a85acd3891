package org.jamestls.tls;

/** A CA bundle, client certificate or key named in the policy cannot be used; stops start-up. */
public class TlsMaterialException extends Exception {
    public TlsMaterialException(String message) {
        super(message);
    }

    public TlsMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
