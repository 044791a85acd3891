package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5952 text for the report's IP fields (section 4 of RFC 5952, its examples). */
class IpTextTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "192.0.2.1,                                192.0.2.1",
        "2001:0db8:0000:0000:0000:0000:0000:0001,  2001:db8::1",
        "2001:db8:0:0:1:0:0:1,                     2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1,                     2001:db8:0:1:1:1:1:1",
        "2001:db8:0:0:1:0:0:0,                     2001:db8:0:0:1::",
        "2001:DB8:ABCD:0012:0:0:0:1,               2001:db8:abcd:12::1",
        "0:0:0:0:0:0:0:1,                          ::1",
        "0:0:0:0:0:0:0:0,                          ::",
        "fe80:0:0:0:0:0:0:0,                       fe80::"
    })
    void canonicalText(String address, String expected) throws Exception {
        assertThat(IpText.format(InetAddress.getByName(address))).isEqualTo(expected);
    }
}
