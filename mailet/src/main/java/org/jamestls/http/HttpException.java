package org.jamestls.http;

/**
 * An HTTPS exchange that cannot go on: no address for the host, a malformed response, or a body over its limit.
 * The message says what, without the host name (callers prefix it).
 */
public class HttpException extends Exception {
    public HttpException(String message) {
        super(message);
    }
}
