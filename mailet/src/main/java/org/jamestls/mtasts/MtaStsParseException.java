package org.jamestls.mtasts;

/** A TXT record or policy file that does not follow RFC 8461's grammar; the message says where. */
public class MtaStsParseException extends Exception {
    public MtaStsParseException(String message) {
        super(message);
    }
}
