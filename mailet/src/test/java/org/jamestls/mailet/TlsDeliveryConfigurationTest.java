package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import javax.mail.MessagingException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsDeliveryConfigurationTest {

    @Test
    void defaultsFollowRemoteDeliveryWhereNamesMatch() throws Exception {
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig());

        assertThat(configuration.outgoing()).isEqualTo("tls-outgoing");
        assertThat(configuration.policyFile()).isEqualTo("file://conf/tls-policy.xml");
        assertThat(configuration.retrySchedule().maxRetries()).isEqualTo(5);
        assertThat(configuration.retrySchedule().delayBeforeRetry(1)).isEqualTo(Duration.ofHours(6));
        assertThat(configuration.timeoutMillis()).isEqualTo(180_000);
        assertThat(configuration.dataTimeoutMillis()).as("RFC 5321 4.5.3.2.6: 10 minutes for the final dot").isEqualTo(600_000);
        assertThat(configuration.connectionTimeoutMillis()).isEqualTo(60_000);
        assertThat(configuration.smtpPort()).isEqualTo(25);
        assertThat(configuration.bindingHeader()).contains("X-Binding");
        assertThat(configuration.bindingHeaderFrom()).as("the operator's injectors only").isEqualTo("authorizedAddresses");
        assertThat(configuration.bounceProcessor()).isEmpty();
        assertThat(configuration.tlsIfAvailableFallback()).isFalse();
        assertThat(configuration.chunking()).as("BDAT where PIPELINING and CHUNKING are offered").isTrue();
        assertThat(configuration.maxMessagesPerConnection()).isEqualTo(100);
        assertThat(configuration.connectionIdleTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(configuration.maxConnectionsPerHost()).as("Postfix's default destination concurrency").isEqualTo(20);
        assertThat(configuration.maxConcurrentDeliveries()).isEqualTo(
            Math.max(200, 10 * Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Concurrency does not hinge on deliveryThreads: never below stock RemoteDelivery's 10 x cores, nor below what
     * deliveryThreads gave before; the parameter itself wins.
     */
    @ParameterizedTest(name = "deliveryThreads={0}, {1} cores -> {2} at once")
    @CsvSource({"4, 2, 200", "4, 32, 320", "500, 2, 500", "1, 1, 200"})
    void theDefaultConcurrencyIsNeverBelowStocksNorDeliveryThreads(int deliveryThreads, int cores, int expected) {
        assertThat(TlsDeliveryConfiguration.defaultMaxConcurrentDeliveries(deliveryThreads, cores)).isEqualTo(expected);
    }

    @Test
    void maxConcurrentDeliveriesIsReadAndDeliveryThreadsNoLongerCapsIt() throws Exception {
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("maxConcurrentDeliveries", "7")
            .with("deliveryThreads", "4")).maxConcurrentDeliveries()).isEqualTo(7);
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("deliveryThreads", "4"))
            .maxConcurrentDeliveries()).isGreaterThanOrEqualTo(200);
    }

    @ParameterizedTest(name = "chunking {0} -> {1}")
    @CsvSource({"true, true", "false, false", "FALSE, false"})
    void chunkingCanBeTurnedOff(String value, boolean expected) throws Exception {
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("chunking", value)).chunking())
            .isEqualTo(expected);
    }

    @Test
    void connectionReuseBoundsAreRead() throws Exception {
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig()
            .with("maxMessagesPerConnection", "20").with("connectionIdleTime", "2 minutes").with("maxConnectionsPerHost", "8"));

        assertThat(configuration.maxMessagesPerConnection()).isEqualTo(20);
        assertThat(configuration.connectionIdleTime()).isEqualTo(Duration.ofMinutes(2));
        assertThat(configuration.maxConnectionsPerHost()).isEqualTo(8);
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("connectionIdleTime", "30")).connectionIdleTime())
            .as("a bare number is seconds").isEqualTo(Duration.ofSeconds(30));
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("connectionIdleTime", "0")).connectionIdleTime())
            .as("zero turns reuse off").isEqualTo(Duration.ZERO);
    }

    @Test
    void documentedSampleIsRead() throws Exception {
        TlsDeliveryConfiguration configuration = TlsDeliveryConfiguration.from(new MapMailetConfig()
            .with("outgoing", "tls-outgoing").with("delayTime", "4*5 minutes, 3*1 hour").with("maxRetries", "7")
            .with("bounceProcessor", "bounces").with("heloName", "relay.example.org").with("deliveryThreads", "4")
            .with("timeout", "60000").with("dataTimeout", "900000").with("connectionTimeout", "30000").with("smtpPort", "2525")
            .with("bindingHeader", "X-Binding").with("tlsIfAvailableFallback", "true"));

        assertThat(configuration.retrySchedule().delayBeforeRetry(4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(configuration.retrySchedule().delayBeforeRetry(5)).isEqualTo(Duration.ofHours(1));
        assertThat(configuration.retrySchedule().delayBeforeRetry(9)).isEqualTo(Duration.ofHours(1));
        assertThat(configuration.retrySchedule().maxRetries()).isEqualTo(7);
        assertThat(configuration.bounceProcessor()).contains("bounces");
        assertThat(configuration.heloName()).isEqualTo("relay.example.org");
        assertThat(configuration.timeoutMillis()).isEqualTo(60_000);
        assertThat(configuration.dataTimeoutMillis()).isEqualTo(900_000);
        assertThat(configuration.smtpPort()).isEqualTo(2525);
        assertThat(configuration.tlsIfAvailableFallback()).isTrue();
    }

    @ParameterizedTest(name = "retryStrategy {0}")
    @CsvSource(delimiter = '|', value = {"|AUTO", "auto|AUTO", "queue-delay|QUEUE_DELAY", "Delay-Queues|DELAY_QUEUES"})
    void retryStrategyDefaultsToAuto(String value, org.jamestls.retry.RetryStrategyKind expected) throws Exception {
        MapMailetConfig config = value == null ? new MapMailetConfig() : new MapMailetConfig().with("retryStrategy", value);
        assertThat(TlsDeliveryConfiguration.from(config).retryStrategy()).isEqualTo(expected);
    }

    @Test
    void bindingHeaderFromIsKeptAsWrittenForTheTrustToParse() throws Exception {
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("bindingHeaderFrom", " authenticated "))
            .bindingHeaderFrom()).isEqualTo("authenticated");
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("bindingHeaderFrom", "")).bindingHeaderFrom())
            .as("an empty element is not the default: parsing it fails").isEmpty();
    }

    @Test
    void emptyBindingHeaderTurnsHeaderAssignmentOff() throws Exception {
        assertThat(TlsDeliveryConfiguration.from(new MapMailetConfig().with("bindingHeader", "")).bindingHeader())
            .isEqualTo(Optional.empty());
    }

    @ParameterizedTest(name = "<{0}>{1}</{0}>")
    @CsvSource(delimiter = '|', value = {
        "maxRetries|seven|a whole number from 0 to 1000",
        "maxRetries|-1|a whole number from 0 to 1000",
        "deliveryThreads|0|a whole number from 1 to 1000",
        "deliveryThreads|4.5|a whole number from 1 to 1000",
        "timeout|0|a whole number from 1 to",
        "dataTimeout|0|a whole number from 1 to",
        "dataTimeout|10 minutes|a whole number from 1 to",
        "connectionTimeout|30s|a whole number from 1 to",
        "smtpPort|70000|a whole number from 1 to 65535",
        "smtpPort|smtp|a whole number from 1 to 65535",
        "tlsIfAvailableFallback|yes|true or false",
        "chunking|off|true or false",
        "delayTime|5 fortnights|[attempts*]duration",
        "delayTime|x*5 minutes|[attempts*]duration",
        "delayTime|4*5 minutes,,1 hour|[attempts*]duration",
        "heloName|relay example|a host name without spaces",
        "maxMessagesPerConnection|0|a whole number from 1 to 100000",
        "connectionIdleTime|soon|a duration of zero or more",
        "connectionIdleTime|-5 s|a duration of zero or more",
        "maxConnectionsPerHost|many|a whole number from 1 to 1000",
        "maxConcurrentDeliveries|0|a whole number from 1 to 10000",
        "retryStrategy|rabbitmq|auto | queue-delay | delay-queues"
    })
    void badParameterStopsStartUpNamingParameterValueAndWhatIsAllowed(String name, String value, String allowed) {
        assertThatThrownBy(() -> TlsDeliveryConfiguration.from(new MapMailetConfig().with(name, value)))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("mailetcontainer.xml")
            .hasMessageContaining("<" + name + ">" + value + "</" + name + ">")
            .hasMessageContaining(allowed);
    }
}
