package org.jamestls.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

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
    private final String senderDomain;
    private final Map<String, Sent> byDomain = new ConcurrentHashMap<>();

    /** @param prefix starts each sender, recipient and subject, so a DSN or a log line is easy to trace */
    SentMails(String prefix) {
        this(prefix, TlsScenarios.SENDER_DOMAIN);
    }

    /** The same, from senders in {@code senderDomain} (where their DSNs go). */
    SentMails(String prefix, String senderDomain) {
        this.prefix = prefix;
        this.senderDomain = senderDomain;
    }

    /** Sends one mail to a fresh recipient in {@code domain}, from a fresh sender, and keeps it as the domain's. */
    Sent send(JamesServer james, String domain) {
        return send(james.submitter(), domain, UnaryOperator.identity());
    }

    /**
     * The same through {@code submitter} (e.g. one that issues STARTTLS), with {@code more} added to the mail (a
     * MAIL FROM parameter, a header), kept under {@code key} (the domain, or a name of the case).
     */
    Sent send(SmtpSubmitter submitter, String domain, UnaryOperator<SmtpSubmitter.Mail> more) {
        return send(submitter, domain, domain, more);
    }

    Sent send(SmtpSubmitter submitter, String key, String domain, UnaryOperator<SmtpSubmitter.Mail> more) {
        Sent sent = sendAnother(submitter, domain, more);
        byDomain.put(key, sent);
        return sent;
    }

    /** Sends one more mail to {@code domain} without replacing the one kept for it. */
    Sent sendAnother(JamesServer james, String domain) {
        return sendAnother(james.submitter(), domain, UnaryOperator.identity());
    }

    Sent sendAnother(SmtpSubmitter submitter, String domain, UnaryOperator<SmtpSubmitter.Mail> more) {
        Sent sent = new Sent(TlsScenarios.uniqueSender(prefix, senderDomain), TlsScenarios.uniqueRecipient(prefix, domain),
            SmtpSubmitter.uniqueSubject(prefix));
        more.apply(submitter.mail().from(sent.sender).to(sent.recipient).subject(sent.subject)).send();
        return sent;
    }

    /** The mail sent to {@code domain} (or kept under that name) up front. */
    Sent to(String domain) {
        Sent sent = byDomain.get(domain);
        if (sent == null) {
            throw new IllegalStateException("no mail was sent to " + domain + " (sent: " + byDomain.keySet() + ")");
        }
        return sent;
    }
}
