package org.jamestls.delivery.settle;

import java.util.Optional;

import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.jamestls.smtpin.RequireTlsMark;

import com.google.common.collect.ImmutableMap;

/**
 * Returning a mail the sender marked REQUIRETLS (RFC 8689): its DSN must not carry the content in clear, and travels
 * back under REQUIRETLS itself. On the copy handed to the bounce processor this sets the DSN parameter RET=HDRS
 * (attribute {@code dsn-ret}), which James's DSNBounce honours by attaching only the headers
 * ({@code text/rfc822-headers}); the mark {@code jamestls.requiretls} is already there, and DSNBounce copies every
 * attribute of the bounced mail onto the DSN it sends, so the DSN is delivered as REQUIRETLS mail too (and, from the
 * null sender, dropped when no MX can take it that way). The envelope id and per-recipient DSN parameters stay.
 */
final class RequireTlsReturn {
    private RequireTlsReturn() {
    }

    static void prepare(Mail bounced) {
        if (!RequireTlsMark.isMarked(bounced)) {
            return;
        }
        Optional<DsnParameters> asked = bounced.dsnParameters();
        DsnParameters.of(asked.flatMap(DsnParameters::getEnvIdParameter), Optional.of(DsnParameters.Ret.HDRS),
                asked.map(DsnParameters::getRcptParameters).orElse(ImmutableMap.of()))
            .ifPresent(bounced::setDsnParameters);
    }
}
