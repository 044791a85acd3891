package org.jamestls.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.SmtpSubmitter;

/**
 * The mails a test class sends up front, one per destination domain, so the deferrals and DSNs of all its
 * cases run in parallel: who sent each, to whom and with which subject, found again by domain.
 */
final class SentMails {
    /** One mail as submitted to James. */
    static final class Sent {
        final String sender;
        final String recipient;
        final String subject;

        private Sent(String sender, String recipient, String subject) {
            this.sender = sender;
            this.recipient = recipient;
            this.subject = subject;
        }
    }

    private final String prefix;
    private final Map<String, Sent> byDomain = new ConcurrentHashMap<>();

    /** @param prefix starts each sender, recipient and subject, so a DSN or a log line is easy to trace */
    SentMails(String prefix) {
        this.prefix = prefix;
    }

    /** Sends one mail to a fresh recipient in {@code domain}, from a fresh sender, and keeps it as the domain's. */
    Sent send(JamesServer james, String domain) {
        Sent sent = sendAnother(james, domain);
        byDomain.put(domain, sent);
        return sent;
    }

    /** Sends one more mail to {@code domain} without replacing the one kept for it. */
    Sent sendAnother(JamesServer james, String domain) {
        Sent sent = new Sent(TlsScenarios.uniqueSender(prefix), TlsScenarios.uniqueRecipient(prefix, domain),
            SmtpSubmitter.uniqueSubject(prefix));
        james.submitter().mail().from(sent.sender).to(sent.recipient).subject(sent.subject).send();
        return sent;
    }

    /** The mail sent to {@code domain} up front. */
    Sent to(String domain) {
        Sent sent = byDomain.get(domain);
        if (sent == null) {
            throw new IllegalStateException("no mail was sent to " + domain + " (sent: " + byDomain.keySet() + ")");
        }
        return sent;
    }
}
