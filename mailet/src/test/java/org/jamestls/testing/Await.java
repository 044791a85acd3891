package org.jamestls.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, boundedly, instead of sleeping a fixed time. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} when it does not within {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
