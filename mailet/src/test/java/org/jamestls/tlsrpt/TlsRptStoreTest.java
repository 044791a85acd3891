package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamestls.tlsrpt.TlsRptFixtures.EXPIRED;
import static org.jamestls.tlsrpt.TlsRptFixtures.NONE;
import static org.jamestls.tlsrpt.TlsRptFixtures.NO_STARTTLS;
import static org.jamestls.tlsrpt.TlsRptFixtures.STS;
import static org.jamestls.tlsrpt.TlsRptFixtures.TLSA;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.jamestls.mtasts.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting, the bounds, midnight, the operator's cut, and what survives a restart or a crash. */
class TlsRptStoreTest {
    private static final Instant MORNING = Instant.parse("2026-05-01T08:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(MORNING);

    private TlsRptStore open() throws IOException {
        return open(TlsRptLimits.DEFAULT);
    }

    private TlsRptStore open(TlsRptLimits limits) throws IOException {
        return TlsRptStore.open(dir, clock, limits);
    }

    private static PeriodSnapshot running(TlsRptStore store) {
        List<PeriodSnapshot> all = store.snapshots();
        return all.get(all.size() - 1);
    }

    private static PolicySnapshot policy(PeriodSnapshot snapshot, ReportedPolicy policy) {
        return snapshot.domain(policy.policyDomain()).orElseThrow().policies().stream()
            .filter(p -> p.policy().equals(policy)).findFirst().orElseThrow();
    }

    @Test
    void countsSessionsPerDomainPolicyAndFailureRow() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        store.success(STS);
        store.failure(STS, EXPIRED);
        store.failure(STS, EXPIRED);
        store.failure(STS, NO_STARTTLS);
        store.success(TLSA);
        store.success(NONE);

        PeriodSnapshot today = running(store);
        PolicySnapshot sts = policy(today, STS);
        assertThat(today.period()).hasToString("2026-05-01T00:00:00Z - 2026-05-02T00:00:00Z");
        assertThat(today.isRunning()).isTrue();
        assertThat(today.domains().keySet()).containsExactly("company-y.example", "mx1.dane.example", "plain.example");
        assertThat(sts.successfulSessions()).isEqualTo(2);
        assertThat(sts.failedSessions()).isEqualTo(3);
        assertThat(sts.failureDetails()).containsExactly(java.util.Map.entry(EXPIRED, 2L), java.util.Map.entry(NO_STARTTLS, 1L));
        assertThat(policy(today, TLSA).successfulSessions()).isEqualTo(1);
        assertThat(today.droppedSessions()).isZero();
    }

    @Test
    void midnightStartsTheNextDay() throws IOException {
        clock.advance(Duration.ofHours(15).plusMinutes(59).plusSeconds(59)); // 23:59:59
        TlsRptStore store = open();
        store.success(STS);
        clock.advance(Duration.ofSeconds(1));
        store.success(STS);
        store.success(STS);

        assertThat(store.finishedPeriods()).extracting(Object::toString)
            .containsExactly("2026-05-01T00:00:00Z - 2026-05-02T00:00:00Z");
        assertThat(policy(store.snapshot(store.finishedPeriods().get(0)).orElseThrow(), STS).successfulSessions())
            .isEqualTo(1);
        assertThat(policy(running(store), STS).successfulSessions()).isEqualTo(2);
        assertThat(running(store).period().start()).isEqualTo(Instant.parse("2026-05-02T00:00:00Z"));
    }

    @Test
    void aStartAfterDaysWithoutTrafficBeginsAtTodaysMidnight() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        clock.advance(Duration.ofDays(3));
        store.success(STS);

        assertThat(running(store).period().start()).isEqualTo(Instant.parse("2026-05-04T00:00:00Z"));
        assertThat(store.finishedPeriods()).hasSize(1);
    }

    @Test
    void theCutEndsTodaysPeriodNowAndTheNextStartsThere() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        clock.advance(Duration.ofMillis(1500));
        ReportPeriod cut = store.cut().orElseThrow();
        store.success(STS);
        store.success(STS);

        assertThat(cut.start()).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
        assertThat(cut.end()).isEqualTo(Instant.parse("2026-05-01T08:00:01Z"));
        assertThat(cut.reportedEnd()).isEqualTo(cut.end());
        assertThat(policy(store.snapshot(cut).orElseThrow(), STS).successfulSessions()).isEqualTo(1);
        assertThat(running(store).period()).hasToString("2026-05-01T08:00:01Z - 2026-05-02T00:00:00Z");
        assertThat(running(store).period().reportedEnd()).isEqualTo(Instant.parse("2026-05-01T23:59:59Z"));
        assertThat(policy(running(store), STS).successfulSessions()).isEqualTo(2);
        assertThat(store.cut()).as("a second cut within the same second").isEmpty();
    }

    @Test
    void countsSurviveARestartAfterAFlush() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        store.failure(STS, EXPIRED);
        clock.advance(Duration.ofDays(1));
        store.failure(TLSA, NO_STARTTLS);
        store.flush();

        TlsRptStore reopened = open();
        reopened.success(TLSA);

        assertThat(reopened.finishedPeriods()).extracting(ReportPeriod::day).extracting(Object::toString)
            .containsExactly("2026-05-01");
        PeriodSnapshot yesterday = reopened.snapshot(reopened.finishedPeriods().get(0)).orElseThrow();
        assertThat(policy(yesterday, STS).failureDetails()).containsEntry(EXPIRED, 1L);
        assertThat(policy(yesterday, STS).successfulSessions()).isEqualTo(1);
        PolicySnapshot today = policy(running(reopened), TLSA);
        assertThat(today.successfulSessions()).isEqualTo(1);
        assertThat(today.failedSessions()).isEqualTo(1);
    }

    @Test
    void aCrashLosesOnlyWhatCameAfterTheLastFlush() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        store.flush();
        store.success(STS);
        store.success(STS);
        // no flush: the process dies here

        assertThat(policy(running(open()), STS).successfulSessions()).isEqualTo(1);
    }

    @Test
    void aFlushWritesOnlyChangedPeriodsAndTheFilesAreReplacedWhole() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        store.flush();
        Path file = dir.resolve("counters-20260501T000000Z.json");
        long written = Files.getLastModifiedTime(file).toMillis();
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(written - 10_000));

        store.flush();
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(written - 10_000);
        store.success(STS);
        store.flush();
        assertThat(Files.getLastModifiedTime(file).toMillis()).isGreaterThan(written - 10_000);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                .containsExactly("counters-20260501T000000Z.json");
        }
    }

    @Test
    void aCutPeriodStaysCutAfterARestart() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        clock.advance(Duration.ofMinutes(1));
        ReportPeriod cut = store.cut().orElseThrow();
        store.success(STS);
        store.flush();

        TlsRptStore reopened = open();

        assertThat(reopened.finishedPeriods()).containsExactly(cut);
        assertThat(running(reopened).period().start()).isEqualTo(cut.end());
        assertThat(policy(running(reopened), STS).successfulSessions()).isEqualTo(1);
    }

    @Test
    void anUnreadableFileIsSkipped() throws IOException {
        Files.writeString(dir.resolve("counters-20260430T000000Z.json"), "{not json");

        TlsRptStore store = open();
        store.success(STS);

        assertThat(store.finishedPeriods()).isEmpty();
        assertThat(policy(running(store), STS).successfulSessions()).isEqualTo(1);
    }

    @Test
    void removingAPeriodDeletesItsFiles() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        clock.advance(Duration.ofDays(1));
        store.success(STS);
        store.flush();
        ReportPeriod yesterday = store.finishedPeriods().get(0);
        store.journal(yesterday).record(new DomainDelivery("company-y.example", "id", DomainDelivery.Status.DONE,
            clock.instant(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Map.of()));
        assertThat(dir.resolve("sent-20260501T000000Z.log")).exists();

        store.remove(yesterday);

        assertThat(store.finishedPeriods()).isEmpty();
        assertThat(dir.resolve("counters-20260501T000000Z.json")).doesNotExist();
        assertThat(dir.resolve("sent-20260501T000000Z.log")).doesNotExist();
        assertThat(open().finishedPeriods()).isEmpty();
    }

    @Test
    void leftoversOfACrashAreDeletedAtStart() throws IOException {
        TlsRptStore store = open();
        store.success(STS);
        store.flush();
        Files.writeString(dir.resolve("counters-20260501T000000Z.json123.tmp"), "{half");
        Files.writeString(dir.resolve("sent-20260429T000000Z.log"), "{}\n"); // its counters were already deleted

        open();

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                .containsExactly("counters-20260501T000000Z.json");
        }
    }

    @Test
    void newDomainsBeyondTheCapAreDroppedAndCounted() throws IOException {
        TlsRptStore store = open(new TlsRptLimits(2, 10, 100, 1000, 1_000_000, 100, 8192));
        store.success(ReportedPolicy.noPolicyFound("a.example"));
        store.success(ReportedPolicy.noPolicyFound("b.example"));
        store.success(ReportedPolicy.noPolicyFound("c.example"));
        store.success(ReportedPolicy.noPolicyFound("a.example"));

        assertThat(running(store).domains().keySet()).containsExactly("a.example", "b.example");
        assertThat(running(store).droppedSessions()).isEqualTo(1);
    }

    @Test
    void policiesAndRowsBeyondTheirCapsAreDroppedAndCounted() throws IOException {
        TlsRptStore store = open(new TlsRptLimits(100, 2, 2, 1000, 1_000_000, 100, 8192));
        ReportedPolicy v1 = TlsRptFixtures.sts("company-y.example", TlsRptFixtures.STS_TEXT);
        ReportedPolicy v2 = TlsRptFixtures.sts("company-y.example", TlsRptFixtures.STS_TEXT.replace("86400", "3600"));
        ReportedPolicy v3 = TlsRptFixtures.sts("company-y.example", TlsRptFixtures.STS_TEXT.replace("86400", "60"));
        store.success(v1);
        store.success(v2);
        store.success(v3);
        store.failure(v1, TlsRptFixtures.handshakeFailure(v1, "one"));
        store.failure(v1, TlsRptFixtures.handshakeFailure(v1, "two"));
        store.failure(v1, TlsRptFixtures.handshakeFailure(v1, "three"));
        store.failure(v1, TlsRptFixtures.handshakeFailure(v1, "one"));

        PeriodSnapshot today = running(store);
        assertThat(today.domain("company-y.example").orElseThrow().policies()).extracting(PolicySnapshot::policy)
            .containsExactly(v1, v2);
        assertThat(today.droppedSessions()).as("the third policy's session").isEqualTo(1);
        PolicySnapshot first = policy(today, v1);
        assertThat(first.failedSessions()).as("a dropped row still counts in the summary").isEqualTo(4);
        assertThat(first.failureDetails().values()).containsExactly(2L, 1L);
        assertThat(today.droppedDetails()).isEqualTo(1);
    }

    @Test
    void rowsPerPeriodAndTextArePeriodWideBounds() throws IOException {
        TlsRptStore rows = open(new TlsRptLimits(100, 10, 100, 3, 1_000_000, 100, 8192));
        for (int i = 0; i < 5; i++) {
            ReportedPolicy policy = ReportedPolicy.noPolicyFound("d" + i + ".example");
            rows.failure(policy, TlsRptFixtures.handshakeFailure(policy, "x"));
        }
        assertThat(running(rows).droppedDetails()).isEqualTo(2);

        Path other = dir.resolve("other");
        TlsRptStore text = TlsRptStore.open(other, clock, new TlsRptLimits(100, 10, 100, 100, 200, 100, 8192));
        for (int i = 0; i < 10; i++) {
            text.success(ReportedPolicy.noPolicyFound("a-rather-long-domain-name-number-" + i + ".example"));
        }
        assertThat(running(text).domains()).hasSizeLessThan(10);
        assertThat(running(text).droppedSessions()).isEqualTo(10 - running(text).domains().size());
    }

    @Test
    void anOversizedPolicyIsNotCounted() throws IOException {
        TlsRptStore store = open(new TlsRptLimits(100, 10, 100, 100, 1_000_000, 3, 8192));
        store.success(STS); // 4 lines: one more than the limit of 3

        assertThat(running(store).domains()).isEmpty();
        assertThat(running(store).droppedSessions()).isEqualTo(1);
    }

    @Test
    void concurrentRecordsAcrossACutAreEachCountedOnce() throws Exception {
        TlsRptStore store = open();
        int threads = 8;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    if (i % 10 == 0) {
                        store.failure(STS, EXPIRED);
                    } else {
                        store.success(STS);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        clock.advance(Duration.ofSeconds(5));
        store.cut();
        for (Future<?> future : futures) {
            future.get();
        }
        pool.shutdown();

        long successes = 0;
        long failures = 0;
        long rows = 0;
        for (PeriodSnapshot snapshot : store.snapshots()) {
            for (DomainSnapshot domain : snapshot.domains().values()) {
                for (PolicySnapshot policy : domain.policies()) {
                    successes += policy.successfulSessions();
                    failures += policy.failedSessions();
                    rows += policy.failureDetails().values().stream().mapToLong(Long::longValue).sum();
                }
            }
        }
        assertThat(successes).isEqualTo(threads * perThread * 9L / 10);
        assertThat(failures).isEqualTo(threads * perThread / 10L).isEqualTo(rows);
        assertThat(store.snapshots()).hasSize(2);
    }
}
