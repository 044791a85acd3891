package org.jamestls.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jamestls.it.support.JamesConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's bookkeeping: where mail goes, -Dbench.ours on the mailet container, the results file's sections. */
class BenchInstrumentTest {

    @Test
    void layoutSpreadsDomainsOverTheMxAddresses() {
        BenchLayout oneAddress = new BenchLayout(10, 1);
        assertThat(oneAddress.mxAddressList()).containsExactly("127.0.1.1");
        assertThat(oneAddress.mxAddress(7)).isEqualTo("127.0.1.1");
        assertThat(oneAddress.recipient(7)).isEqualTo("rcpt7@bench8.test");

        BenchLayout hundred = new BenchLayout(100, 10);
        assertThat(hundred.mxAddressList()).hasSize(10).startsWith("127.0.1.1").endsWith("127.0.1.10");
        assertThat(hundred.domain(123)).isEqualTo("bench24.test");
        assertThat(hundred.mxAddress(123)).as("domain 24 -> address index 23 %% 10").isEqualTo("127.0.1.4");
        assertThat(hundred.records().mxRecords()).hasSize(100);
    }

    @Test
    void oursParametersReplaceOrAddOnlyInTheTwoTlsRemoteDeliveryMailets() {
        String xml = JamesConfig.resource("/bench/bench-mailetcontainer.xml");
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("deliveryThreads", "200");
        ours.put("maxConnectionsPerHost", "20");
        String changed = DeliveryBenchmark.withOurParameters(xml, ours);

        assertThat(count(changed, "<deliveryThreads>200</deliveryThreads>")).isEqualTo(2);
        assertThat(count(changed, "<maxConnectionsPerHost>20</maxConnectionsPerHost>")).isEqualTo(2);
        assertThat(count(changed, "<deliveryThreads>4</deliveryThreads>")).as("stock RemoteDelivery's stays").isEqualTo(1);
        assertThat(DeliveryBenchmark.withOurParameters(xml, Map.of())).isEqualTo(xml);
        for (String tuning : new String[] {"<maxConnectionsPerHost>", "<connectionIdleTime>", "<maxMessagesPerConnection>"}) {
            assertThat(count(xml, tuning)).as("no benchmark-only tuning: " + tuning).isZero();
        }
    }

    @Test
    void theCommandNamesOnlyWhatDiffersFromTheDefaults() {
        // a benchmark run sets bench.* itself (./benchmark.sh -Dbench.mails=...): set them aside for this test
        java.util.Map<String, String> aside = new java.util.HashMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bench.")) {
                aside.put(k, System.clearProperty(k));
            }
        }
        String[] keys = {"bench.rtt", "bench.mxAddresses", "bench.ours", "bench.paths"};
        try {
            System.setProperty("bench.rtt", "0");
            assertThat(BenchSettings.fromSystemProperties().command()).isEqualTo("./benchmark.sh");
            System.setProperty("bench.rtt", "50");
            System.setProperty("bench.mxAddresses", "1");
            System.setProperty("bench.paths", "stock,required");
            System.setProperty("bench.ours", "deliveryThreads=200;maxConnectionsPerHost=20");
            assertThat(BenchSettings.fromSystemProperties().command()).isEqualTo("./benchmark.sh -Dbench.rtt=50 "
                + "-Dbench.mxAddresses=1 -Dbench.paths=stock,required '-Dbench.ours=deliveryThreads=200;maxConnectionsPerHost=20'");
        } finally {
            for (String k : keys) {
                System.clearProperty(k);
            }
            aside.forEach(System::setProperty);
        }
    }

    @Test
    void aRunReplacesItsOwnSectionAndKeepsTheOthersOrderedByRtt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("benchmark-results.md");
        ResultsFile.writeSection(file, Duration.ofMillis(50), "./benchmark.sh -Dbench.rtt=50", "## fifty, first\n");
        ResultsFile.writeSection(file, Duration.ZERO, "./benchmark.sh", "## zero\n");
        ResultsFile.writeSection(file, Duration.ofMillis(50), "./benchmark.sh -Dbench.rtt=50 -Dbench.mxAddresses=1",
            "## fifty, one address\n");
        ResultsFile.writeSection(file, Duration.ofMillis(50), "./benchmark.sh -Dbench.rtt=50", "## fifty, again\n");

        String text = Files.readString(file);
        assertThat(text).startsWith("# Delivery benchmark results").doesNotContain("fifty, first");
        assertThat(text.indexOf("## zero")).isLessThan(text.indexOf("## fifty, again"));
        assertThat(text.indexOf("## fifty, again")).isLessThan(text.indexOf("## fifty, one address"));
        assertThat(count(text, "<!-- end run -->")).isEqualTo(3);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
