package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.stream.Stream;

import org.jamestls.it.support.JamesConfig;
import org.jamestls.it.support.ItPaths;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.TestCertificates;
import org.jamestls.it.support.TestNetwork;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real James refuses to start (exit status 1, before SMTP listens) on bad configuration, and its log
 * says what is wrong. Every individual case is covered by the parser and parameter unit tests; these
 * prove the same errors stop a real server.
 *
 * <p>Its James has a home and addresses of its own ({@link TestNetwork}'s BAD_CONFIG_*), not the shared environment's,
 * so the class runs beside the shared environment's classes (README, Tests), one James at a time.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestNetwork.BAD_CONFIG_JAMES_ADDRESS)
@Order(2)
class BadConfigurationIT {
    private static final String SAMPLE_RELAY_PARAMETER = "<maxRetries>7</maxRetries>";
    private static final JamesServer.Endpoints ENDPOINTS = new JamesServer.Endpoints(
        TestNetwork.BAD_CONFIG_JAMES_ADDRESS, TestNetwork.BAD_CONFIG_JAMES_SMTP_PORT,
        TestNetwork.BAD_CONFIG_JAMES_ADDRESS, TestNetwork.BAD_CONFIG_JAMES_WEBADMIN_PORT,
        TestNetwork.DNS_ADDRESS, TestNetwork.RECEIVER_PORT);

    private static JamesServer james(JamesConfig config) {
        return JamesServer.custom(ItPaths.jamesHome().resolveSibling("james-bad-config-home"),
            JamesServer.Flavor.memory(ItPaths.jamesRuntime()), ItPaths.jamesRuntime(), config, ENDPOINTS);
    }

    private static TestCertificates certificates;

    /**
     * it-tls-policy.xml with its {@code ${certs}} files made (certificates of this class's own, the shared run's may not
     * exist yet): each case below then has exactly one error, its own.
     */
    private static synchronized String testPolicy() {
        if (certificates == null) {
            certificates = TestCertificates.generate(ItPaths.workDir().resolve("bad-config-certs"));
        }
        return JamesConfig.resource("/it-tls-policy.xml").replace("${certs}", certificates.dir().toString());
    }

    static Stream<Arguments> badConfigurations() {
        String policy = testPolicy();
        String mailetContainer = sampleMailetContainer();
        return Stream.of(
            Arguments.of("tls value not allowed",
                JamesConfig.samples().withConfFile("tls-policy.xml", policy.replace("<tls>no</tls>", "<tls>sometimes</tls>")),
                "invalid value 'sometimes' for <tls>; allowed values: no, ifavailable, required"),
            Arguments.of("bindAddress is not an IP address",
                JamesConfig.samples().withConfFile("tls-policy.xml", policy.replace("127.0.0.51", "mail.example.org")),
                "/tlsPolicy/bindingGroup[@name='grp']/binding[@name='b1']"),
            Arguments.of("malformed XML",
                JamesConfig.samples().withConfFile("tls-policy.xml", policy.replace("</tlsPolicy>", "")),
                "tls-policy.xml"),
            Arguments.of("tlsCa file missing",
                JamesConfig.samples().withConfFile("tls-policy.xml",
                    policy.replace("<tls>no</tls>", "<tls>no</tls><tlsCa>file://conf/no-such-ca.pem</tlsCa>")),
                "tlsCa file://conf/no-such-ca.pem cannot be read"),
            Arguments.of("protocol unknown to the JDK",
                JamesConfig.samples().withConfFile("tls-policy.xml",
                    policy.replace("<tls>no</tls>", "<tls>no</tls><tlsProtocols>TLSv1.2 TLSv9</tlsProtocols>")),
                "invalid value 'TLSv1.2 TLSv9' for <tlsProtocols>; allowed values: a space-separated list of protocols this JDK supports: "),
            Arguments.of("policyFile does not exist",
                JamesConfig.samples().withConfFile("mailetcontainer.xml",
                    mailetContainer.replace("file://conf/tls-policy.xml", "file://conf/missing-policy.xml")),
                "TLS policy file not found: <policyFile>file://conf/missing-policy.xml</policyFile>"),
            Arguments.of("maxRetries is not a number",
                JamesConfig.samples().withConfFile("mailetcontainer.xml",
                    mailetContainer.replace(SAMPLE_RELAY_PARAMETER, "<maxRetries>seven</maxRetries>")),
                "<maxRetries>seven</maxRetries> is not valid; allowed: a whole number from 0 to 1000"),
            Arguments.of("bindingHeaderFrom names neither a keyword nor a network",
                JamesConfig.samples().withConfFile("mailetcontainer.xml", mailetContainer.replace(
                    "<bindingHeaderFrom>authorizedAddresses</bindingHeaderFrom>",
                    "<bindingHeaderFrom>authorisedAddresses</bindingHeaderFrom>")),
                "<bindingHeaderFrom>authorisedAddresses</bindingHeaderFrom> is not valid; allowed: a comma-separated list"
                    + " of: authorizedAddresses"),
            Arguments.of("bad dane value",
                JamesConfig.samples().withConfFile("tls-policy.xml", policy.replace("<tls>no</tls>", "<tls>no</tls><dane>yes</dane>")),
                "invalid value 'yes' for <dane>; allowed values: on, off"),
            Arguments.of("dnssecTrustAnchor unreadable",
                JamesConfig.samples()
                    .withConfFile("tls-policy.xml", sample("tls-policy.xml").replace("<tlsPolicy>", "<tlsPolicy><dane>on</dane>"))
                    .withConfFile("mailetcontainer.xml", mailetContainer.replace(SAMPLE_RELAY_PARAMETER,
                        SAMPLE_RELAY_PARAMETER + "<dnssecTrustAnchor>file://conf/no-anchor.zone</dnssecTrustAnchor>")),
                "Invalid mailet parameter <dnssecTrustAnchor> file://conf/no-anchor.zone"),
            Arguments.of("tlsRpt on without tlsRptFrom",
                JamesConfig.samples().withConfFile("tls-policy.xml",
                    sample("tls-policy.xml").replace("<tlsPolicy>", "<tlsPolicy><tlsRpt>on</tlsRpt>")),
                "<tlsRptFrom> is required because tlsRpt is on in the TLS policy"));
    }

    /** DANE on with a resolver that serves no DNSSEC: James starts, and says which resolver is the problem. */
    @Test
    void daneWithAResolverWithoutDnssecIsAWarningNamingTheResolver() {
        String policy = testPolicy().replace("<tls>no</tls>", "<tls>no</tls><dane>on</dane>");
        try (JamesServer james = james(JamesConfig.samples()
            .withConfFile("tls-policy.xml", policy)
            .withConfFile("mailetcontainer.xml", sampleMailetContainer().replace(SAMPLE_RELAY_PARAMETER,
                SAMPLE_RELAY_PARAMETER + "<dnssecResolver>127.0.0.49:53</dnssecResolver>"))).start()) {

            assertThat(james.awaitLog("DANE is on but DNSSEC resolver 127\\.0\\.0\\.49:53 does not return validated DNSSEC data",
                Duration.ofSeconds(90))).contains("WARN");
        }
    }

    private static String sampleMailetContainer() {
        return sample("mailetcontainer.xml");
    }

    private static String sample(String file) {
        try {
            return Files.readString(ItPaths.configSamples().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void jamesRefusesToStart(String name, JamesConfig config, String expectedMessage) {
        JamesServer.StartupFailure failure;
        try (JamesServer james = james(config)) {
            failure = james.startExpectingFailure(Duration.ofSeconds(120));
        }

        assertThat(failure.exitCode).isEqualTo(1);
        assertThat(failure.log).contains("Unable to init mailet").contains(expectedMessage);
    }
}
