package org.jamestls.delivery.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The slow-start rule on its own: open a session, or wait (how long at most) for one of the destination's sessions in
 * use to be given back. Times in milliseconds; {@code -} = not measured yet; the answer is {@code open} or the longest
 * wait before deciding again.
 */
class SlowStartTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                                                   | in use | ahead | open | transaction | youngest busy | remaining | decision
        "nothing in use: open                                     | 0      | 5     | 50   | 5           | 0             | 60000     | open",
        "unmeasured, one in use: the second opens                 | 1      | 0     | -    | -           | 0             | 60000     | open",
        "unmeasured, the initial two in use: wait for them        | 2      | 0     | -    | -           | 0             | 60000     | 60000",
        "unmeasured, opened once, nothing back yet: wait          | 2      | 3     | 50   | -           | 0             | 60000     | 50",
        "loopback: a transaction is a tenth of an opening: wait   | 1      | 0     | 50   | 5           | 0             | 60000     | 50",
        "loopback, 9 ahead of 1 session: 45 ms < 50: wait         | 1      | 8     | 50   | 5           | 0             | 60000     | 50",
        "loopback, 10 ahead of 1 session: 50 ms: open             | 1      | 9     | 50   | 5           | 0             | 60000     | open",
        "loopback, 19 ahead of 2 sessions: 50 ms: open            | 2      | 18    | 50   | 5           | 0             | 60000     | open",
        "50 ms RTT (5 vs 2 round trips), 1 ahead of 1: wait       | 1      | 1     | 250  | 100         | 0             | 60000     | 250",
        "50 ms RTT, 2 ahead of 1: three transactions: open        | 1      | 2     | 250  | 100         | 0             | 60000     | open",
        "50 ms RTT, 4 ahead of 2: 300 ms: open                    | 2      | 4     | 250  | 100         | 0             | 60000     | open",
        "opening faster than a transaction: open                  | 3      | 0     | 5    | 50          | 0             | 60000     | open",
        "busy 20 ms, 1 ahead: 10 < 50, turns when 50 ms old       | 1      | 1     | 50   | 5           | 20            | 60000     | 30",
        "loaded node: 11 ahead of 2, 24 ms each, youngest 100 ms  | 2      | 11    | 207  | 24          | 100           | 60000     | 107",
        "no transaction back yet, out 6 ms, 18 ahead: wait for it | 2      | 18    | 50   | -           | 6             | 60000     | 44",
        "no transaction back, out longer than an opening: open    | 2      | 18    | 50   | -           | 50            | 60000     | open",
        "no transaction back, deadline nearer: wait to it         | 2      | 18    | 50   | -           | 6             | 10        | 10",
        "even the youngest busy is out 60 ms: receiver slow: open | 1      | 0     | 50   | 5           | 60            | 60000     | open",
        "deadline sooner than the expected wait: open             | 1      | 0     | 50   | 30          | 0             | 20        | open",
        "deadline near: wait no longer than it                    | 1      | 0     | 50   | 5           | 0             | 10        | 10",
        "deadline passed: open                                    | 2      | 0     | -    | -           | 0             | 0         | open",
    })
    void opensOrWaitsAsTheMeasurementsSay(String scenario, int inUse, int ahead, String open, String transaction,
                                          long youngestBusy, long remaining, String decision) {
        OptionalLong waitFor = SlowStart.waitFor(inUse, ahead, millis(open), millis(transaction), nanos(youngestBusy),
            nanos(remaining));

        assertThat(waitFor.isPresent() ? String.valueOf(TimeUnit.NANOSECONDS.toMillis(waitFor.getAsLong())) : "open")
            .as(scenario).isEqualTo(decision);
    }

    private static OptionalLong millis(String value) {
        return value.equals("-") ? OptionalLong.empty() : OptionalLong.of(nanos(Long.parseLong(value)));
    }

    private static long nanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
