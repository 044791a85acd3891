package org.jamestls.policy;

/**
 * {@code tls-policy.xml} is unusable. The message names the file, the element path, the offending
 * value and what is allowed, so an operator can fix it without reading code.
 */
public class PolicyConfigurationException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyConfigurationException(String message) {
        super(message);
    }

    public PolicyConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
