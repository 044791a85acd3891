package org.jamestls.mtasts;

import java.util.Optional;

/** The policy's {@code mode} (RFC 8461 §5). */
public enum MtaStsMode {
    /** Deliver only to matching MX hosts over verified TLS; anything else is a temporary failure. */
    ENFORCE("enforce"),
    /** Deliver as usual, but report what enforcing would have refused. */
    TESTING("testing"),
    /** The domain has withdrawn its policy: treat as no policy. */
    NONE("none");

    private final String keyword;

    MtaStsMode(String keyword) {
        this.keyword = keyword;
    }

    /** The value as written in the policy file. */
    public String keyword() {
        return keyword;
    }

    /** Case-sensitive, as the RFC's grammar ({@code %s"enforce"}). */
    static Optional<MtaStsMode> fromKeyword(String value) {
        for (MtaStsMode mode : values()) {
            if (mode.keyword.equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
