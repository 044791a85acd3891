package org.jamestls.testvehicle;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/** TEST VEHICLE: a mailet that always throws, as a broken archiving or audit mailet in the onSuccess processor would. */
public class ThrowingMailet extends GenericMailet {
    @Override
    public void service(Mail mail) throws MessagingException {
        throw new MessagingException("test vehicle ThrowingMailet: injected failure for " + mail.getName());
    }
}
