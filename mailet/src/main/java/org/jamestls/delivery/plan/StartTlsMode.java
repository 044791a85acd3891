package org.jamestls.delivery.plan;

import org.jamestls.policy.TlsLevel;

/** How one connection treats STARTTLS; derived from the policy level, or forced to NEVER for the fallback. */
public enum StartTlsMode {
    NEVER, IF_OFFERED, MANDATORY;

    public static StartTlsMode forLevel(TlsLevel level) {
        switch (level) {
            case REQUIRED:
                return MANDATORY;
            case IFAVAILABLE:
                return IF_OFFERED;
            default:
                return NEVER;
        }
    }
}
