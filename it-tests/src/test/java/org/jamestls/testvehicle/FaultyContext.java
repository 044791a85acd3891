package org.jamestls.testvehicle;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;

/** TEST VEHICLE: James's MailetContext with a fault check before each {@code sendMail(mail, processor)}. */
final class FaultyContext {
    @FunctionalInterface
    interface Check {
        void beforeSend(Mail mail, String processor) throws MessagingException;
    }

    private FaultyContext() {
    }

    static MailetContext wrap(MailetContext context, Check check) {
        return (MailetContext) Proxy.newProxyInstance(FaultyContext.class.getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("sendMail") && args != null && args.length == 2 && args[0] instanceof Mail
                        && args[1] instanceof String) {
                    check.beforeSend((Mail) args[0], (String) args[1]);
                }
                try {
                    return method.invoke(context, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
