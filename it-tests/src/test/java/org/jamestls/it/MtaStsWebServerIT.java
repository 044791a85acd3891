package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.apache.james.dnsservice.api.DNSService;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.MtaStsWebServer;
import org.jamestls.it.support.MtaStsWebServer.HostCertificate;
import org.jamestls.it.support.TestNetwork;
import org.jamestls.it.support.TestCertificates;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsFetcher;
import org.jamestls.mtasts.MtaStsPolicy;
import org.jamestls.tls.TrustContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MTA-STS harness against the extension's fetcher: a real nginx on 127.0.0.31:443 serves policies, the
 * fetcher reaches it through a DNSService that maps mta-sts.* names to that address and trusts the test CA.
 * Needs neither dnsmasq nor James, so it shares nothing with the other ITs.
 */
class MtaStsWebServerIT {
    private static final String HARNESS_ADDRESS = "127.0.0.31";
    private static final String POLICY_1 = "version: STSv1\nmode: enforce\nmx: *.harness.test\nmax_age: 86400\n";
    private static final String POLICY_2 = "version: STSv1\r\nmode: testing\r\nmx: mx2.harness.test\r\nmax_age: 600\r\n";

    private static MtaStsWebServer web;
    private static MtaStsFetcher fetcher;
    private static final LoopbackDns dns = new LoopbackDns();

    @BeforeAll
    static void startNginx() throws Exception {
        Path dir = ItPaths.workDir().resolve("mtasts-harness");
        TestCertificates certificates = TestCertificates.generate(dir.resolve("certs"));
        // an address of its own: the shared environment's nginx (PublishedPoliciesIT) may be up on 127.0.0.30
        web = new MtaStsWebServer(dir.resolve("nginx"), HARNESS_ADDRESS, TestNetwork.MTA_STS_PORT, certificates).start();
        SSLContext trust;
        try (InputStream ca = Files.newInputStream(web.caPem())) {
            trust = TrustContexts.fromPemCa(ca, web.caPem().toString());
        }
        fetcher = new MtaStsFetcher(dns, trust, web.port(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        for (String domain : List.of("harness.test", "wrongname.test", "untrusted.test", "unknown.test")) {
            dns.map(MtaStsWebServer.policyHost(domain), web.address());
        }
    }

    @AfterAll
    static void stopNginx() {
        if (web != null) {
            web.close();
        }
    }

    @Test
    void publishedPolicyIsFetchedReplacedAndRemoved() throws Exception {
        web.publish("harness.test", POLICY_1);
        assertThat(fetcher.fetch("harness.test")).isEqualTo(POLICY_1);
        assertThat(MtaStsPolicy.parse(fetcher.fetch("harness.test")).matches("mx1.harness.test")).isTrue();

        web.publish("harness.test", POLICY_2);
        assertThat(fetcher.fetch("harness.test")).isEqualTo(POLICY_2);

        web.remove("harness.test");
        assertThatThrownBy(() -> fetcher.fetch("harness.test")).isInstanceOf(MtaStsFetchException.class)
            .hasMessage("mta-sts.harness.test: HTTP 404");

        web.publish("harness.test", POLICY_1);
        assertThat(fetcher.fetch("harness.test")).isEqualTo(POLICY_1);
        assertThat(web.accessLog()).contains("GET /.well-known/mta-sts.txt HTTP/1.1\" 200");
    }

    @Test
    void aHostCertificateForAnotherNameIsRefused() {
        web.publish("wrongname.test", POLICY_1, HostCertificate.WRONG_NAME);

        assertThatThrownBy(() -> fetcher.fetch("wrongname.test"))
            .hasMessageStartingWith("mta-sts.wrongname.test: TLS failed:");
    }

    @Test
    void aHostCertificateFromAnUntrustedCaIsRefused() {
        web.publish("untrusted.test", POLICY_1, HostCertificate.UNTRUSTED_CA);

        assertThatThrownBy(() -> fetcher.fetch("untrusted.test"))
            .hasMessageStartingWith("mta-sts.untrusted.test: TLS failed:");
    }

    @Test
    void aHostNginxDoesNotKnowGetsTheDefaultCertificateAndIsRefused() {
        assertThatThrownBy(() -> fetcher.fetch("unknown.test"))
            .hasMessageStartingWith("mta-sts.unknown.test: TLS failed:");
    }

    /** Maps names to addresses like James's DNSService would after asking dnsmasq. */
    private static final class LoopbackDns implements DNSService {
        private final Map<String, InetAddress> addresses = new ConcurrentHashMap<>();

        void map(String host, String ip) throws UnknownHostException {
            addresses.put(host, InetAddress.getByName(ip));
        }

        @Override
        public Collection<String> findMXRecords(String hostname) {
            return List.of();
        }

        @Override
        public Collection<String> findTXTRecords(String hostname) {
            return List.of();
        }

        @Override
        public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
            return List.of(getByName(host));
        }

        @Override
        public InetAddress getByName(String host) throws UnknownHostException {
            InetAddress address = addresses.get(host);
            if (address == null) {
                throw new UnknownHostException(host);
            }
            return address;
        }

        @Override
        public InetAddress getLocalHost() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public String getHostName(InetAddress addr) {
            return addr.getHostAddress();
        }
    }
}
