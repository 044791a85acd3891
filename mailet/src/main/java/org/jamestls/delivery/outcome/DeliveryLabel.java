package org.jamestls.delivery.outcome;

import java.util.Objects;

import org.jamestls.policy.Decided;
import org.jamestls.policy.TlsLevel;
import org.jamestls.policy.TlsVerify;

/**
 * Names one delivery run (one queued mail to one recipient domain) wherever it is reported: log lines,
 * outcome attributes, metrics and DSN texts. The mail's name, the domain, the binding (or {@code none}) and
 * the operator's {@code tls} and {@code tlsVerify} with the scope that decided each. Immutable.
 */
public final class DeliveryLabel {
    private final String mailName;
    private final String domain;
    private final String binding;
    private final Decided<TlsLevel> tls;
    private final Decided<TlsVerify> tlsVerify;

    public DeliveryLabel(String mailName, String domain, String binding, Decided<TlsLevel> tls,
                         Decided<TlsVerify> tlsVerify) {
        this.mailName = Objects.requireNonNull(mailName, "mailName");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.binding = Objects.requireNonNull(binding, "binding");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.tlsVerify = Objects.requireNonNull(tlsVerify, "tlsVerify");
    }

    public String mailName() {
        return mailName;
    }

    public String domain() {
        return domain;
    }

    /** The binding's name, or {@code none}. */
    public String binding() {
        return binding;
    }

    /** The operator's level and its deciding scope (not what a published policy made of it). */
    public Decided<TlsLevel> tls() {
        return tls;
    }

    /** The operator's level as written in the policy ({@code required}), as metrics and attributes name it. */
    public String level() {
        return tls.value().configName();
    }

    public Decided<TlsVerify> tlsVerify() {
        return tlsVerify;
    }

    @Override
    public String toString() {
        return "mail=" + mailName + " domain=" + domain + " binding=" + binding + " tls=" + level();
    }
}
