package org.jamestls.brokentls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokenTlsMemoryTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final BrokenTlsKey MX1 = key("192.0.2.25", 25, null);
    private static final BrokenTlsKey MX1_FROM_TX1 = key("192.0.2.25", 25, "198.51.100.10");
    private static final BrokenTlsKey MX1_PORT_2525 = key("192.0.2.25", 2525, null);
    private static final BrokenTlsKey MX2 = key("2001:db8::25", 25, null);

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final BrokenTlsMemory memory = new BrokenTlsMemory(metrics, 3);

    @ParameterizedTest(name = "[{index}] remembered for 1 h, asked {0} s later -> {1}")
    @CsvSource({"0, true", "1, true", "3599, true", "3600, false", "7200, false"})
    void anEntryCountsUntilItsPeriodEnds(long secondsLater, boolean remembered) {
        memory.remember(MX1, "mx1.example", "handshake failed", T0, HOUR);

        assertThat(memory.isRemembered(MX1, T0.plusSeconds(secondsLater)).isPresent()).isEqualTo(remembered);
    }

    @Test
    void anEntryTellsWhenWhatAndUntilWhen() {
        BrokenTlsEntry entry = memory.remember(MX1, "mx1.example", "handshake failed: no cipher suites in common (4.7.5)",
            T0, Duration.ofMinutes(30));

        assertThat(memory.isRemembered(MX1, T0.plusSeconds(60))).contains(entry);
        assertThat(entry.mxHost()).isEqualTo("mx1.example");
        assertThat(entry.failure()).isEqualTo("handshake failed: no cipher suites in common (4.7.5)");
        assertThat(entry.failedAt()).isEqualTo(T0);
        assertThat(entry.until()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(entry.uses()).isZero();
        assertThat(entry.key()).hasToString("[192.0.2.25]:25 from default");
        assertThat(MX1_FROM_TX1).hasToString("[192.0.2.25]:25 from 198.51.100.10");
    }

    @Test
    void addressPortAndSourceAddressAreTheKey() {
        memory.remember(MX1_FROM_TX1, "mx1.example", "handshake failed", T0, HOUR);

        assertThat(memory.isRemembered(MX1_FROM_TX1, T0)).isPresent();
        assertThat(memory.isRemembered(key("192.0.2.25", 25, "198.51.100.10"), T0)).isPresent();
        assertThat(memory.isRemembered(MX1, T0)).isEmpty();
        assertThat(memory.isRemembered(MX1_PORT_2525, T0)).isEmpty();
        assertThat(memory.isRemembered(key("192.0.2.25", 25, "198.51.100.11"), T0)).isEmpty();
    }

    @Test
    void aNewFailureAtTheSameEndpointStartsItsPeriodAgain() {
        memory.remember(MX1, "mx1.example", "first", T0, HOUR);
        memory.remember(MX1, "mx1.example", "second", T0.plusSeconds(3000), HOUR);

        assertThat(memory.isRemembered(MX1, T0.plusSeconds(3700)).map(BrokenTlsEntry::failure)).contains("second");
        assertThat(memory.list(T0)).hasSize(1);
        assertThat(metrics.countFor(BrokenTlsMemory.REMEMBERED_METRIC)).isEqualTo(2);
    }

    @Test
    void forgetRemovesEveryEntryOfAnAddressWhateverPortAndSource() throws Exception {
        memory.remember(MX1, "mx1.example", "f", T0, HOUR);
        memory.remember(MX1_FROM_TX1, "mx1.example", "f", T0, HOUR);
        memory.remember(MX2, "mx2.example", "f", T0, HOUR);

        assertThat(memory.forget(InetAddress.getByName("192.0.2.25"))).isEqualTo(2);
        assertThat(memory.forget(InetAddress.getByName("192.0.2.25"))).isZero();
        assertThat(memory.forget(InetAddress.getByName("2001:DB8:0::25"))).isEqualTo(1);
        assertThat(memory.list(T0)).isEmpty();
    }

    @Test
    void listShowsLiveEntriesInAddressPortSourceOrderAndDropsExpiredOnes() {
        memory.remember(MX2, "mx2.example", "f", T0, HOUR);
        memory.remember(MX1_PORT_2525, "mx1.example", "f", T0, Duration.ofMinutes(10));
        memory.remember(MX1_FROM_TX1, "mx1.example", "f", T0, HOUR);

        assertThat(memory.list(T0)).extracting(BrokenTlsEntry::key).containsExactly(MX1_FROM_TX1, MX1_PORT_2525, MX2);
        assertThat(memory.list(T0.plus(Duration.ofMinutes(20)))).extracting(BrokenTlsEntry::key)
            .containsExactly(MX1_FROM_TX1, MX2);
        // the expired entry is gone, not just hidden: its slot is free again
        memory.remember(MX1, "mx1.example", "f", T0.plus(Duration.ofMinutes(20)), HOUR);
        assertThat(metrics.countFor(BrokenTlsMemory.EVICTED_METRIC)).isZero();
    }

    @Test
    void whenFullExpiredEntriesGoFirst() {
        memory.remember(MX1, "mx1.example", "f", T0, Duration.ofMinutes(5));
        memory.remember(MX1_FROM_TX1, "mx1.example", "f", T0, HOUR);
        memory.remember(MX1_PORT_2525, "mx1.example", "f", T0, HOUR);

        memory.remember(MX2, "mx2.example", "f", T0.plus(Duration.ofMinutes(6)), HOUR);

        assertThat(memory.list(T0.plus(Duration.ofMinutes(6)))).extracting(BrokenTlsEntry::key)
            .containsExactly(MX1_FROM_TX1, MX1_PORT_2525, MX2);
        assertThat(metrics.countFor(BrokenTlsMemory.EVICTED_METRIC)).isZero();
    }

    @Test
    void whenFullOfLiveEntriesTheOneExpiringSoonestIsForgottenEarly() {
        memory.remember(MX1, "mx1.example", "f", T0, Duration.ofHours(3));
        memory.remember(MX1_FROM_TX1, "mx1.example", "f", T0, Duration.ofMinutes(30));
        memory.remember(MX1_PORT_2525, "mx1.example", "f", T0, Duration.ofHours(2));

        memory.remember(MX2, "mx2.example", "f", T0.plusSeconds(60), HOUR);

        assertThat(memory.list(T0.plusSeconds(60))).hasSize(3).extracting(BrokenTlsEntry::key)
            .containsExactly(MX1, MX1_PORT_2525, MX2);
        assertThat(metrics.countFor(BrokenTlsMemory.EVICTED_METRIC)).isEqualTo(1);
        // refreshing an endpoint already remembered needs no room
        memory.remember(MX1, "mx1.example", "again", T0.plusSeconds(120), HOUR);
        assertThat(metrics.countFor(BrokenTlsMemory.EVICTED_METRIC)).isEqualTo(1);
    }

    @Test
    void usesAreCountedPerEntryAndInTheMetric() {
        BrokenTlsEntry entry = memory.remember(MX1, "mx1.example", "f", T0, HOUR);

        memory.recordUse(entry);
        memory.recordUse(memory.isRemembered(MX1, T0).orElseThrow());

        assertThat(memory.isRemembered(MX1, T0).map(BrokenTlsEntry::uses)).contains(2L);
        assertThat(metrics.countFor(BrokenTlsMemory.USED_METRIC)).isEqualTo(2);
        assertThat(metrics.countFor(BrokenTlsMemory.REMEMBERED_METRIC)).isEqualTo(1);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> memory.remember(MX1, "mx1.example", "f", T0, Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BrokenTlsMemory(metrics, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> key("192.0.2.1", 0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new BrokenTlsMemory(metrics).maxEntries()).isEqualTo(BrokenTlsMemory.DEFAULT_MAX_ENTRIES);
    }

    private static BrokenTlsKey key(String address, int port, String source) {
        try {
            return BrokenTlsKey.of(InetAddress.getByName(address), port,
                source == null ? Optional.empty() : Optional.of(InetAddress.getByName(source)));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
