package org.jamestls.mtasts;

/** The policy could not be fetched (DNS, TCP, TLS, HTTP or size/time limits); the message says why. */
public class MtaStsFetchException extends Exception {
    public MtaStsFetchException(String message) {
        super(message);
    }

    public MtaStsFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
