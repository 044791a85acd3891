package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.jamestls.mailet.MapMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tlsRpt* mailet parameters: defaults, the required sender, and start-up errors that name what is wrong. */
class TlsRptSettingsTest {
    @Test
    void offEverywhereNeedsNothing() throws MessagingException {
        assertThat(TlsRptSettings.from(new MapMailetConfig(), false)).isEmpty();
    }

    @Test
    void onSomewhereWithoutTlsRptFromStopsStartUp() {
        assertThatThrownBy(() -> TlsRptSettings.from(new MapMailetConfig(), true))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("mailet TlsRemoteDelivery")
            .hasMessageContaining("<tlsRptFrom> is required because tlsRpt is on in the TLS policy");
    }

    @Test
    void defaultsFollowTheSender() throws MessagingException {
        TlsRptSettings settings = TlsRptSettings.from(new MapMailetConfig().with("tlsRptFrom", " tlsrpt@Sender.Example "), true)
            .orElseThrow();

        assertThat(settings.from().asString()).isEqualToIgnoringCase("tlsrpt@sender.example");
        assertThat(settings.identity().contactInfo()).isEqualToIgnoringCase("tlsrpt@sender.example");
        assertThat(settings.identity().submitter()).isEqualTo("sender.example");
        assertThat(settings.identity().organizationName()).isEqualToIgnoringCase("sender.example");
        assertThat(settings.storeUrl()).isEqualTo("file://var/tlsrpt");
        assertThat(settings.caUrl()).as("the JDK's trust store").isEmpty();
    }

    @Test
    void everyParameterSet() throws MessagingException {
        TlsRptSettings settings = TlsRptSettings.from(new MapMailetConfig()
            .with("tlsRptFrom", "noreply@mail.sender.example")
            .with("tlsRptContact", "tls-reports@sender.example")
            .with("tlsRptOrganization", "Sender Inc.")
            .with("tlsRptStore", "file://var/reports")
            .with("tlsRptCa", "file://conf/collector-ca.pem"), true).orElseThrow();

        assertThat(settings.identity().submitter()).isEqualTo("sender.example");
        assertThat(settings.identity().organizationName()).isEqualTo("Sender Inc.");
        assertThat(settings.storeUrl()).isEqualTo("file://var/reports");
        assertThat(settings.caUrl()).contains("file://conf/collector-ca.pem");
        assertThat(TlsRptSettings.PARAMETER_NAMES)
            .containsExactlyInAnyOrder("tlsRptFrom", "tlsRptContact", "tlsRptOrganization", "tlsRptStore", "tlsRptCa");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "tlsRptFrom         | not an address | <tlsRptFrom>not an address</tlsRptFrom> is not valid; allowed: a mail address",
        "tlsRptFrom         | tlsrpt@localhost | allowed: an address with a fully qualified domain",
        "tlsRptContact      | @example.org   | <tlsRptContact>@example.org</tlsRptContact> is not valid",
        "tlsRptOrganization | Caf\u00e9 SA   | allowed: printable ASCII text of at most 200 characters",
    })
    void badValuesStopStartUpEvenWhenOff(String parameter, String value, String message) {
        MapMailetConfig config = new MapMailetConfig().with("tlsRptFrom", "tlsrpt@sender.example").with(parameter, value);

        assertThatThrownBy(() -> TlsRptSettings.from(config, false)).hasMessageContaining(message)
            .hasMessageContaining("Invalid configuration of mailet TlsRemoteDelivery in mailetcontainer.xml");
        assertThatThrownBy(() -> TlsRptSettings.from(config, true)).hasMessageContaining(message);
    }
}
