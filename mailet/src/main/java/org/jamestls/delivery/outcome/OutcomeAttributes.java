package org.jamestls.delivery.outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.jamestls.smtp.TlsSessionInfo;

/**
 * The TLS outcome of a delivery as mail attributes, set on delivered mail (for the onSuccess processor)
 * and on bounced mail (for the bounce processor and its DSN): which MX, which binding, which level and
 * the scope that decided it, and what TLS gave (protocol, cipher, peer certificate, verification).
 */
public final class OutcomeAttributes {
    public static final String PREFIX = "jamestls.outcome.";
    public static final AttributeName MX = AttributeName.of(PREFIX + "mx");
    public static final AttributeName BINDING = AttributeName.of(PREFIX + "binding");
    public static final AttributeName TLS_LEVEL = AttributeName.of(PREFIX + "tls-level");
    public static final AttributeName TLS_DECIDED_BY = AttributeName.of(PREFIX + "tls-decided-by");
    public static final AttributeName TLS_VERIFY = AttributeName.of(PREFIX + "tls-verify");
    public static final AttributeName CHANNEL = AttributeName.of(PREFIX + "channel");
    public static final AttributeName TLS_PROTOCOL = AttributeName.of(PREFIX + "tls-protocol");
    public static final AttributeName TLS_CIPHER = AttributeName.of(PREFIX + "tls-cipher");
    public static final AttributeName PEER_SUBJECT = AttributeName.of(PREFIX + "tls-peer-subject");
    public static final AttributeName VERIFICATION = AttributeName.of(PREFIX + "tls-verification");
    public static final AttributeName FAILURE = AttributeName.of(PREFIX + "failure");
    /** policy, mta-sts or dane: what decided how the last MX was secured. */
    public static final AttributeName MECHANISM = AttributeName.of(PREFIX + "tls-mechanism");
    /** The receiving domain's published policy as seen (MTA-STS mode and id, DANE TLSA state). */
    public static final AttributeName PUBLISHED_POLICY = AttributeName.of(PREFIX + "published-policy");

    private OutcomeAttributes() {
    }

    public static List<Attribute> of(DeliveryLabel label, DomainDeliveryResult result) {
        List<Attribute> attributes = new ArrayList<>();
        add(attributes, BINDING, label.binding());
        add(attributes, TLS_LEVEL, label.level());
        add(attributes, TLS_DECIDED_BY, label.tls().decidedBy().toString());
        add(attributes, TLS_VERIFY, label.tlsVerify().value().configName());
        result.lastTarget().ifPresent(target -> add(attributes, MX, target.toString()));
        add(attributes, MECHANISM, result.security().mechanism().label());
        add(attributes, PUBLISHED_POLICY, result.security().published());
        Optional<TlsSessionInfo> tls = result.tls();
        add(attributes, CHANNEL, tls.isPresent() ? "tls" : result.lastTarget().isPresent() ? "plaintext" : "none");
        tls.ifPresent(info -> {
            add(attributes, TLS_PROTOCOL, info.protocol());
            add(attributes, TLS_CIPHER, info.cipherSuite());
            add(attributes, VERIFICATION, info.verification());
            info.peerSubject().ifPresent(subject -> add(attributes, PEER_SUBJECT, subject));
        });
        if (!result.failedAttempts().isEmpty()) {
            DeliveryFailure last = result.failedAttempts().get(result.failedAttempts().size() - 1);
            add(attributes, FAILURE, last.kind().label() + ": " + last);
        }
        return attributes;
    }

    private static void add(List<Attribute> attributes, AttributeName name, String value) {
        attributes.add(new Attribute(name, AttributeValue.of(value)));
    }
}
