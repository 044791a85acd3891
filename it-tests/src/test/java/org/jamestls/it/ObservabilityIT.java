package org.jamestls.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jamestls.it.support.DnsRecords;
import org.jamestls.it.support.JamesServer;
import org.jamestls.it.support.SharedEnvironment;
import org.jamestls.it.support.TestDns;
import org.jamestls.it.support.TestEnvironment;
import org.jamestls.it.support.WebAdminClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an operator sees over HTTP on the running James: the policy routes registered from the samples'
 * webadmin.properties, and the delivery metrics after real deliveries.
 */
@ExtendWith(SharedEnvironment.class)
class ObservabilityIT {
    /** The domain the metrics test delivers to (tls=required in the test policy). */
    @TestDns
    static final DnsRecords DNS = DnsRecords.builder()
        .mx("required.tls.matrix.test", "rx-tls-1.receivers.test", 10)
        .build();


    static Stream<Arguments> policyQueries() {
        return Stream.of(
            Arguments.of("/tls-policy", 200, new String[] {"\"global\":{\"tls\":\"no\"}", "\"b1\"", "\"grp\"",
                "\"gdom.prec.test\":{\"tls\":\"ifavailable\"}"}),
            Arguments.of("/tls-policy/effective?domain=both.prec.test&binding=b1", 200, new String[] {
                "\"domain\":\"both.prec.test\"", "\"binding\":\"b1\"", "\"bindingGroup\":\"grp\"",
                "\"tls\":{\"value\":\"no\",\"decidedBy\":\"binding b1 / domain both.prec.test\",\"scope\":\"BINDING_DOMAIN\"}",
                "\"tlsVerify\":{\"value\":\"no\",\"decidedBy\":\"default\",\"scope\":\"DEFAULT\"}",
                "\"tlsIfAvailableFallback\":{\"value\":false,\"decidedBy\":\"mailet parameter tlsIfAvailableFallback\""}),
            Arguments.of("/tls-policy/effective?domain=HOST.VALID.VERIFY.TEST", 200, new String[] {
                "\"domain\":\"host.valid.verify.test\"", "\"binding\":null",
                "\"tlsVerify\":{\"value\":\"host\",\"decidedBy\":\"global domain host.valid.verify.test\"",
                "\"tlsCa\":{\"value\":\"file://"}),
            Arguments.of("/tls-policy/effective?domain=matching.restrict.test", 200, new String[] {
                "\"tlsProtocols\":{\"value\":[\"TLSv1.2\"]"}),
            Arguments.of("/tls-policy/effective?domain=a.test", 200, new String[] {
                "\"tlsRequiredHeader\":{\"value\":\"published\",\"decidedBy\":\"default\",\"scope\":\"DEFAULT\"}",
                "\"tlsRememberBroken\":{\"value\":\"off\",\"decidedBy\":\"default\",\"scope\":\"DEFAULT\"}",
                "\"tlsRpt\":{\"value\":\"off\",\"decidedBy\":\"default\",\"scope\":\"DEFAULT\"}"}),
            Arguments.of("/tls-policy/effective", 400, new String[] {"'domain' is required"}),
            Arguments.of("/tls-policy/effective?domain=", 400, new String[] {"'domain' is required"}),
            Arguments.of("/tls-policy/effective?domain=bad_domain!", 400, new String[] {"not a valid domain name"}),
            Arguments.of("/tls-policy/effective?domain=a.test&bindng=b1", 400, new String[] {"unknown query parameter 'bindng'"}),
            Arguments.of("/tls-policy/effective?domain=a.test&binding=nosuch", 404, new String[] {"unknown binding 'nosuch'"}));
    }

    @ParameterizedTest(name = "GET {0} -> {1}")
    @MethodSource("policyQueries")
    void policyRoutes(String path, int status, String[] fragments, TestEnvironment env) {
        WebAdminClient.Response response = TlsScenarios.james(env).webAdmin().get(path);

        assertThat(response.status).as(response.body).isEqualTo(status);
        assertThat(response.body).contains(fragments);
    }

    /** The broken-TLS memory's routes (nothing remembers yet: delivery does not consult the memory). */
    static Stream<Arguments> brokenTlsQueries() {
        return Stream.of(
            Arguments.of("GET", "/tls-policy/broken", 200, "\"broken\":[]"),
            Arguments.of("GET", "/tls-policy/broken?address=192.0.2.25", 400, "unknown query parameter 'address'"),
            Arguments.of("DELETE", "/tls-policy/broken/192.0.2.25", 404, "no broken TLS remembered for 192.0.2.25"),
            Arguments.of("DELETE", "/tls-policy/broken/2001:db8::25", 404, "no broken TLS remembered for 2001:db8:0:0:0:0:0:25"),
            Arguments.of("DELETE", "/tls-policy/broken/%5B2001:db8::25%5D", 404, "no broken TLS remembered for 2001:db8:0:0:0:0:0:25"),
            Arguments.of("DELETE", "/tls-policy/broken/mx.example.org", 400, "'mx.example.org' is not an IP address literal"),
            Arguments.of("DELETE", "/tls-policy/broken/192.0.2.256", 400, "is not an IP address literal"),
            Arguments.of("DELETE", "/tls-policy/broken/192.0.2.25?port=25", 400, "unknown query parameter 'port'"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("brokenTlsQueries")
    void brokenTlsRoutes(String method, String path, int status, String fragment, TestEnvironment env) {
        WebAdminClient webAdmin = TlsScenarios.james(env).webAdmin();

        WebAdminClient.Response response = method.equals("GET") ? webAdmin.get(path) : webAdmin.delete(path);

        assertThat(response.status).as(response.body).isEqualTo(status);
        assertThat(response.body).contains(fragment);
    }

    /** The TLS report routes come with the same extensions.routes line; reporting is not wired into delivery yet. */
    @Test
    void tlsReportRoutesAreRegistered(TestEnvironment env) {
        WebAdminClient webAdmin = TlsScenarios.james(env).webAdmin();

        WebAdminClient.Response counters = webAdmin.get("/tls-reports");
        WebAdminClient.Response send = webAdmin.post("/tls-reports?action=send&includeToday=true");
        WebAdminClient.Response bad = webAdmin.post("/tls-reports?action=delete");

        assertThat(counters.status).as(counters.body).isEqualTo(503);
        assertThat(counters.body).contains("TLS reporting is not running");
        assertThat(send.status).as(send.body).isEqualTo(503);
        assertThat(bad.status).as(bad.body).isEqualTo(400);
        assertThat(bad.body).contains("unknown action 'delete'; allowed: send");
    }

    @Test
    void deliveriesAreCountedAndTimedInJamesMetrics(TestEnvironment env) {
        JamesServer james = TlsScenarios.james(env);
        double attemptsBefore = james.webAdmin().metric("jamestls_attempts_required_tls");
        double deliveredBefore = james.webAdmin().metric("jamestls_delivered_required_tls");
        String recipient = TlsScenarios.uniqueRecipient("metrics", "required.tls.matrix.test");

        james.submitter().mail().from(TlsScenarios.uniqueSender("metrics")).to(recipient).send();
        env.receivers().awaitMessagesFor(recipient, 1, TlsScenarios.DELIVERY_TIMEOUT);
        james.awaitLog("Delivery outcome \\(delivered\\): .*recipients=\\[" + recipient.replace(".", "\\.") + "\\]",
            TlsScenarios.DELIVERY_TIMEOUT);

        assertThat(james.webAdmin().metric("jamestls_attempts_required_tls")).as(jamesTlsMetrics(james)).isEqualTo(attemptsBefore + 1);
        assertThat(james.webAdmin().metric("jamestls_delivered_required_tls")).isEqualTo(deliveredBefore + 1);
        assertThat(james.webAdmin().get("/metrics").body).contains("jamestls_delivery_latency");
    }

    /** The jamestls lines of the export, to explain a failed assertion. */
    private static String jamesTlsMetrics(JamesServer james) {
        WebAdminClient.Response metrics = james.webAdmin().get("/metrics");
        return "GET /metrics " + metrics.status + ":\n" + metrics.body.lines().filter(line -> line.contains("jamestls"))
            .collect(Collectors.joining("\n"));
    }
}
