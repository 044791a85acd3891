package org.jamestls.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.HostAddress;
import org.apache.mailet.LookupException;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of James's MailetContext the delivery mailet hands mail to: {@code sendMail(mail, processor)} and
 * {@code bounce}, each a {@link HandOverFaults} step, each recorded (processor, recipients, delivery-error) when it
 * succeeds. Anything else is not expected and throws.
 */
public final class RecordingMailetContext implements MailetContext {
    /** One mail handed to a processor. */
    public static final class Sent {
        public final String processor;
        public final List<MailAddress> recipients;
        public final Optional<String> deliveryError;
        public final List<String> attributeNames;

        Sent(String processor, Mail mail) {
            this.processor = processor;
            this.recipients = List.copyOf(mail.getRecipients());
            this.attributeNames = mail.attributeNames().map(AttributeName::asString).collect(Collectors.toList());
            this.deliveryError = AttributeUtils.getValueAndCastFromMail(mail, AttributeName.of("delivery-error"), String.class);
        }

        @Override
        public String toString() {
            return processor + " " + recipients + deliveryError.map(e -> " " + e).orElse("");
        }
    }

    private final HandOverFaults faults;
    private final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());

    public RecordingMailetContext(HandOverFaults faults) {
        this.faults = faults;
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    public List<Sent> sentTo(String processor) {
        List<Sent> matching = new ArrayList<>();
        sent().stream().filter(s -> s.processor.equals(processor)).forEach(matching::add);
        return matching;
    }

    @Override
    public void sendMail(Mail mail, String state) throws MessagingException {
        faults.step("sendMail " + state);
        sent.add(new Sent(state, mail));
    }

    @Override
    public void bounce(Mail mail, String message) throws MessagingException {
        faults.step("bounce");
        sent.add(new Sent("(bounce)", mail));
    }

    @Override
    public void bounce(Mail mail, String message, MailAddress bouncer) throws MessagingException {
        bounce(mail, message);
    }

    @Override
    public Logger getLogger() {
        return LoggerFactory.getLogger(RecordingMailetContext.class);
    }

    private static UnsupportedOperationException unexpected() {
        return new UnsupportedOperationException("not used by the delivery mailet");
    }

    @Override
    public void sendMail(MimeMessage message) {
        throw unexpected();
    }

    @Override
    public void sendMail(MailAddress sender, Collection<MailAddress> recipients, MimeMessage message) {
        throw unexpected();
    }

    @Override
    public void sendMail(MailAddress sender, Collection<MailAddress> recipients, MimeMessage message, String state) {
        throw unexpected();
    }

    @Override
    public void sendMail(Mail mail) {
        throw unexpected();
    }

    @Override
    public void sendMail(Mail mail, long delay, TimeUnit unit) {
        throw unexpected();
    }

    @Override
    public void sendMail(Mail mail, String state, long delay, TimeUnit unit) {
        throw unexpected();
    }

    @Override
    public int getMajorVersion() {
        return 3;
    }

    @Override
    public int getMinorVersion() {
        return 8;
    }

    @Override
    public String getServerInfo() {
        return "RecordingMailetContext";
    }

    @Override
    public Iterator<String> getAttributeNames() {
        return Collections.emptyIterator();
    }

    @Override
    public Object getAttribute(String name) {
        return null;
    }

    @Override
    public void setAttribute(String name, Object value) {
        throw unexpected();
    }

    @Override
    public void removeAttribute(String name) {
        throw unexpected();
    }

    @Override
    public void log(String message) {
        getLogger().info(message);
    }

    @Override
    public void log(String message, Throwable t) {
        getLogger().info(message, t);
    }

    @Override
    public void log(LogLevel level, String message) {
        getLogger().info(message);
    }

    @Override
    public void log(LogLevel level, String message, Throwable t) {
        getLogger().info(message, t);
    }

    @Override
    public MailAddress getPostmaster() {
        throw unexpected();
    }

    @Override
    public boolean isLocalServer(Domain domain) {
        throw unexpected();
    }

    @Override
    public boolean isLocalUser(String userAccount) {
        throw unexpected();
    }

    @Override
    public boolean isLocalEmail(MailAddress mailAddress) {
        throw unexpected();
    }

    @Override
    public Collection<String> getMailServers(Domain domain) {
        throw unexpected();
    }

    @Override
    public Iterator<HostAddress> getSMTPHostAddresses(Domain domain) {
        throw unexpected();
    }

    @Override
    public List<String> dnsLookup(String name, RecordType type) throws LookupException {
        throw unexpected();
    }
}
