package org.jamestls.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiPredicate;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

/**
 * Fault injection at each step where a mail changes hands (a {@code mail.duplicate()}, a {@code sendMail}, a queue's
 * {@code enQueue}): every step is numbered in the order it happens, and a rule decides from the step's number and
 * name whether it fails. The steps and their outcome are kept for the test's report.
 */
public final class HandOverFaults {
    private final BiPredicate<Integer, String> fails;
    private final List<String> steps = Collections.synchronizedList(new ArrayList<>());

    private HandOverFaults(BiPredicate<Integer, String> fails) {
        this.fails = fails;
    }

    public static HandOverFaults none() {
        return new HandOverFaults((number, step) -> false);
    }

    /** Only step number {@code n} (1-based, over the whole test) fails. */
    public static HandOverFaults atStep(int n) {
        return new HandOverFaults((number, step) -> number == n);
    }

    /** Every step whose name starts with {@code prefix} fails, every time. */
    public static HandOverFaults always(String prefix) {
        return new HandOverFaults((number, step) -> step.startsWith(prefix));
    }

    /** Counts one step; throws when the rule says this one fails. */
    public void step(String name) throws MessagingException {
        int number = steps.size() + 1;
        boolean failing = fails.test(number, name);
        steps.add(number + " " + name + (failing ? " FAILED" : ""));
        if (failing) {
            throw new MessagingException("injected fault at step " + number + ": " + name);
        }
    }

    public List<String> steps() {
        return List.copyOf(steps);
    }

    /** {@code mail} whose {@code duplicate()} is a step (everything else goes to {@code mail} itself). */
    public Mail wrap(Mail mail) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("duplicate") && method.getParameterCount() == 0) {
                step("duplicate " + mail.getName());
            }
            try {
                return method.invoke(mail, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Mail) Proxy.newProxyInstance(Mail.class.getClassLoader(), new Class<?>[] {Mail.class}, handler);
    }
}
