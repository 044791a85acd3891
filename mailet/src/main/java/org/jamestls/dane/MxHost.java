package org.jamestls.dane;

import java.util.Objects;

/** One MX record: preference and exchange host (lower case, no trailing dot). */
public final class MxHost {
    private final int preference;
    private final String host;

    public MxHost(int preference, String host) {
        this.preference = preference;
        this.host = Objects.requireNonNull(host);
    }

    public int preference() {
        return preference;
    }

    public String host() {
        return host;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MxHost && ((MxHost) o).preference == preference && ((MxHost) o).host.equals(host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(preference, host);
    }

    @Override
    public String toString() {
        return preference + " " + host;
    }
}
