package org.jamestls.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code tlsRequiredHeader} option: what a mail's {@code TLS-Required: No} header (RFC 8689 section 5) may
 * lower. A mail sent with the {@code REQUIRETLS} MAIL FROM parameter ignores the header whatever this says.
 *
 * <p>Read by the delivery planner and shown by WebAdmin {@code effective}.
 */
public enum TlsRequiredHeader {
    /**
     * The default: the header lowers what receivers publish (MTA-STS, DANE), as RFC 8689 defines it, so the mail
     * goes as the operator's own {@code tls}/{@code tlsVerify} say. An operator's {@code required} stays required:
     * it usually stands for an agreement or a regulation that a sender's header must not undo.
     */
    PUBLISHED,
    /** The header also lowers the operator's own {@code required} and {@code tlsVerify}: TLS is tried, never insisted on. */
    ALL,
    /** The header changes nothing: every policy applies as if it were absent. */
    IGNORE;

    static Optional<TlsRequiredHeader> parse(String raw) {
        String value = raw.trim().toUpperCase(Locale.ROOT);
        for (TlsRequiredHeader mode : values()) {
            if (mode.name().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
