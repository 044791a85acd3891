package org.jamestls.it.support;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mailet's delivery log lines as the README documents them, for tests to find and read: one
 * {@code Delivery attempt:} line per connection attempt, refused MX or domain-wide failure, and one
 * {@code Deferring mail=} line per deferral. The product writes them in
 * {@code org.jamestls.delivery.outcome.AttemptLog}; this mirrors that format on its own, field by field in the
 * documented order, so a change of format fails the tests instead of silently matching nothing.
 * <pre>
 * james.logLines(DeliveryLog.attempts("failover.test").mx("rx-plain.receivers.test").outcomeContaining("(4.7.6)").regex())
 * james.awaitLog(DeliveryLog.deferrals(domain).retry(1).regex(), timeout)
 * DeliveryLog.parse(line).decidedBy()
 * </pre>
 */
public final class DeliveryLog {
    private static final String ANY_TOKEN = "\\S+";
    private static final String ADDRESS = " \\[[^\\]]*\\]:\\d+";
    private static final Pattern ATTEMPT = Pattern.compile("Delivery attempt: mail=(\\S+) domain=(\\S+) mx=(.+?) "
        + "binding=(\\S+) tls=(\\S+) decidedBy=\\[([^\\]]*)\\]( \\(plaintext fallback\\))? outcome=(.*?)"
        + "(?: mechanism=(\\S+) effectiveTls=(\\S+)(?: published=\\[(.*)\\])?)?$");

    private DeliveryLog() {
    }

    /** The {@code Delivery attempt:} lines of one recipient domain, to narrow down field by field. */
    public static Attempts attempts(String domain) {
        return new Attempts(domain);
    }

    /** The {@code Deferring mail=} lines of one recipient domain, to narrow down field by field. */
    public static Deferrals deferrals(String domain) {
        return new Deferrals(domain);
    }

    /** The fields of one {@code Delivery attempt:} line (the line may carry the log's own prefix). */
    public static Attempt parse(String line) {
        Matcher matcher = ATTEMPT.matcher(line);
        if (!matcher.find()) {
            throw new IllegalArgumentException("not a Delivery attempt line: " + line);
        }
        return new Attempt(matcher);
    }

    /**
     * {@code Delivery attempt: mail=<mail>-to-<domain> domain=<domain> mx=<host> [<ip>]:<port> binding=<b> tls=<level>
     * decidedBy=[<scope>][ (plaintext fallback)] outcome=<outcome>[ mechanism=<m> effectiveTls=<level>[ published=[...]]]}
     */
    public static final class Attempts {
        private final String domain;
        private String mx;
        private String binding;
        private String tls;
        private String decidedBy;
        private Boolean plaintextFallback;
        private String outcomeStart;
        private String outcomeContaining;

        private Attempts(String domain) {
            this.domain = domain;
        }

        /** Attempts to this MX host (any of its addresses). */
        public Attempts mx(String host) {
            this.mx = host;
            return this;
        }

        public Attempts binding(String name) {
            this.binding = name;
            return this;
        }

        /** The operator's level, as the line's {@code tls=} says. */
        public Attempts tls(String level) {
            this.tls = level;
            return this;
        }

        /** The scope that decided the operator's level, e.g. {@code global domain bank.example}. */
        public Attempts decidedBy(String scope) {
            this.decidedBy = scope;
            return this;
        }

        /** Only the attempt made as the ifavailable plaintext fallback. */
        public Attempts plaintextFallback() {
            this.plaintextFallback = true;
            return this;
        }

        /** The outcome starts with this text, e.g. {@code delivered 1/1 over plaintext} or {@code failed: TLS}. */
        public Attempts outcome(String start) {
            this.outcomeStart = start;
            return this;
        }

        /** The outcome, or anything after it on the line, contains this text. */
        public Attempts outcomeContaining(String text) {
            this.outcomeContaining = text;
            return this;
        }

        public String regex() {
            return "Delivery attempt: mail=\\S+-to-" + Pattern.quote(domain) + " domain=" + Pattern.quote(domain)
                + " mx=" + (mx == null ? "(?:\\S+" + ADDRESS + "|none)" : Pattern.quote(mx) + ADDRESS)
                + " binding=" + field(binding) + " tls=" + field(tls)
                + " decidedBy=\\[" + (decidedBy == null ? "[^\\]]*" : Pattern.quote(decidedBy)) + "\\]"
                + (plaintextFallback == null ? "(?: \\(plaintext fallback\\))?" : " \\(plaintext fallback\\)")
                + " outcome=" + (outcomeStart == null ? "" : Pattern.quote(outcomeStart))
                + (outcomeContaining == null ? "" : ".*" + Pattern.quote(outcomeContaining));
        }

        @Override
        public String toString() {
            return regex();
        }
    }

    /** {@code Deferring mail=<mail>-to-<domain> domain=<domain> recipients=[...] retry=<n>/<max> in <s>s: <reasons>}. */
    public static final class Deferrals {
        private final String domain;
        private String recipient;
        private Integer retry;
        private Integer maxRetries;
        private Long delaySeconds;
        private String reasonContaining;

        private Deferrals(String domain) {
            this.domain = domain;
        }

        /** Deferrals whose recipients include this text (an address, or a tag in the local parts). */
        public Deferrals recipient(String text) {
            this.recipient = text;
            return this;
        }

        /** The deferral for retry number {@code n}. */
        public Deferrals retry(int n) {
            this.retry = n;
            return this;
        }

        /** The deferral for retry number {@code n} of {@code max}. */
        public Deferrals retry(int n, int max) {
            this.retry = n;
            this.maxRetries = max;
            return this;
        }

        /** Deferred for this many seconds. */
        public Deferrals delaySeconds(long seconds) {
            this.delaySeconds = seconds;
            return this;
        }

        public Deferrals reasonContaining(String text) {
            this.reasonContaining = text;
            return this;
        }

        public String regex() {
            return "Deferring mail=\\S+-to-" + Pattern.quote(domain) + " domain=" + Pattern.quote(domain)
                + " recipients=\\[[^\\]]*" + (recipient == null ? "" : Pattern.quote(recipient) + "[^\\]]*") + "\\]"
                + " retry=" + (retry == null ? "\\d+" : retry) + "/" + (maxRetries == null ? "\\d+" : maxRetries)
                + " in " + (delaySeconds == null ? "\\d+" : delaySeconds) + "s: "
                + (reasonContaining == null ? "" : ".*" + Pattern.quote(reasonContaining));
        }

        @Override
        public String toString() {
            return regex();
        }
    }

    /** The fields of one attempt line; the published-policy fields are absent on domain-wide failures. Immutable. */
    public static final class Attempt {
        private final String mail;
        private final String domain;
        private final String mx;
        private final String binding;
        private final String tls;
        private final String decidedBy;
        private final boolean plaintextFallback;
        private final String outcome;
        private final Optional<String> mechanism;
        private final Optional<String> effectiveTls;
        private final Optional<String> published;

        private Attempt(Matcher fields) {
            mail = fields.group(1);
            domain = fields.group(2);
            mx = fields.group(3);
            binding = fields.group(4);
            tls = fields.group(5);
            decidedBy = fields.group(6);
            plaintextFallback = fields.group(7) != null;
            outcome = fields.group(8);
            mechanism = Optional.ofNullable(fields.group(9));
            effectiveTls = Optional.ofNullable(fields.group(10));
            published = Optional.ofNullable(fields.group(11));
        }

        public String mail() {
            return mail;
        }

        public String domain() {
            return domain;
        }

        /** {@code host [ip]:port}, or {@code none}. */
        public String mx() {
            return mx;
        }

        public String binding() {
            return binding;
        }

        public String tls() {
            return tls;
        }

        public String decidedBy() {
            return decidedBy;
        }

        public boolean plaintextFallback() {
            return plaintextFallback;
        }

        public String outcome() {
            return outcome;
        }

        public Optional<String> mechanism() {
            return mechanism;
        }

        public Optional<String> effectiveTls() {
            return effectiveTls;
        }

        public Optional<String> published() {
            return published;
        }
    }

    private static String field(String value) {
        return value == null ? ANY_TOKEN : Pattern.quote(value);
    }
}
