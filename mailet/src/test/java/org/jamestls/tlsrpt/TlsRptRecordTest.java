package org.jamestls.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The _smtp._tls TXT grammar of RFC 8460 section 3: a table of records and what each yields. */
class TlsRptRecordTest {
    private static String uris(TlsRptRecord record) {
        return record.uris().stream().map(ReportUri::text).collect(Collectors.joining(" "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // record                                                                      | destinations used
        "v=TLSRPTv1;rua=mailto:reports@example.com                                      | mailto:reports@example.com",
        "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt                        | https://reporting.example.com/v1/tlsrpt",
        "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x                   | mailto:a@example.com https://r.example.com/x",
        "v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.net                    | mailto:a@example.com mailto:b@example.net",
        "v=TLSRPTv1 ; rua=mailto:a@example.com ;                                        | mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:a@example.com; ext=value; x.y_z-1=42                    | mailto:a@example.com",
        "v=TLSRPTv1; future=1; rua=mailto:a@example.com                                 | mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:a@example.com,mailto:a@example.com                      | mailto:a@example.com",
        "v=TLSRPTv1; rua=ftp://example.com/x,mailto:a@example.com                       | mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:tls+rpt@example.com?subject=report                      | mailto:tls+rpt@example.com?subject=report",
        "v=TLSRPTv1; rua=mailto:tls%2Drpt@example.com                                   | mailto:tls%2Drpt@example.com",
        "v=TLSRPTv1; rua=https://r.example.com:8443/tlsrpt?key=1                        | https://r.example.com:8443/tlsrpt?key=1",
        "\"v=TLSRPTv1; \" \"rua=mailto:split@example.com\"                             | mailto:split@example.com",
    })
    void validRecords(String txt, String expected) {
        assertThat(uris(TlsRptRecord.parse(txt))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "v=TLSRPTv2; rua=mailto:a@example.com                             | does not start with v=TLSRPTv1",
        "v=TLSRPTv10; rua=mailto:a@example.com                            | does not start with v=TLSRPTv1",
        "V=TLSRPTv1; rua=mailto:a@example.com                             | does not start with v=TLSRPTv1",
        "rua=mailto:a@example.com; v=TLSRPTv1                             | does not start with v=TLSRPTv1",
        "v=TLSRPTv1                                                        | no rua field",
        "v=TLSRPTv1; ext=1                                                 | no rua field",
        "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com   | more than one rua field",
        "v=TLSRPTv1; v=TLSRPTv1; rua=mailto:a@example.com                 | more than one v field",
        "v=TLSRPTv1;; rua=mailto:a@example.com                            | empty field",
        "v=TLSRPTv1; rua=mailto:a@example.com; bad field=1                | malformed field",
        "v=TLSRPTv1; rua=mailto:a@example.com; novalue                    | field without",
        "v=TLSRPTv1; rua=                                                  | no usable rua URI",
        "v=TLSRPTv1; rua=ftp://example.com/x                               | unsupported scheme 'ftp'",
        "v=TLSRPTv1; rua=http://example.com/x                              | unsupported scheme 'http'",
        "v=TLSRPTv1; rua=mailto:not-an-address                             | mailto address",
        "v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com              | more than one address",
        "v=TLSRPTv1; rua=https:///nohost                                   | https URI without a host",
        "v=TLSRPTv1; rua=https://user:pw@r.example.com/                    | user information",
        "v=TLSRPTv1; rua=https://r.example.com/a b                         | not a URI",
        "v=TLSRPTv1 rua=mailto:a@example.com                               | unexpected text",
    })
    void invalidRecords(String txt, String reason) {
        assertThatThrownBy(() -> TlsRptRecord.parse(txt)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(reason);
    }

    @Test
    void sizeLimits() {
        String longUri = "https://r.example.com/" + "x".repeat(ReportUri.MAX_LENGTH);
        assertThat(uris(TlsRptRecord.parse("v=TLSRPTv1; rua=" + longUri + ",mailto:a@example.com")))
            .isEqualTo("mailto:a@example.com");

        StringBuilder many = new StringBuilder("v=TLSRPTv1; rua=");
        for (int i = 0; i < TlsRptRecord.MAX_URIS + 5; i++) {
            many.append(i == 0 ? "" : ",").append("mailto:r").append(i).append("@example.com");
        }
        TlsRptRecord record = TlsRptRecord.parse(many.toString());
        assertThat(record.uris()).hasSize(TlsRptRecord.MAX_URIS);
        assertThat(record.skipped()).hasSize(5).allSatisfy(s -> assertThat(s).contains("more than 10 URIs"));

        assertThatThrownBy(() -> TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com; x="
            + "y".repeat(TlsRptRecord.MAX_RECORD_LENGTH))).hasMessageContaining("longer than 4096");
    }

    @Test
    void theMailtoAddressIsDecoded() {
        ReportUri uri = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:tls%2Drpt+x@Example.com?subject=hi").uris().get(0);

        assertThat(uri.scheme()).isEqualTo(ReportUri.Scheme.MAILTO);
        assertThat(uri.mailAddress().asString()).isEqualToIgnoringCase("tls-rpt+x@example.com");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // TXT records at _smtp._tls (';;' separates records)           | record found? | description
        "v=TLSRPTv1; rua=mailto:a@example.com                           | true  | v=TLSRPTv1; rua=mailto:a@example.com",
        "v=spf1 -all;;v=TLSRPTv1; rua=mailto:a@example.com              | true  | v=TLSRPTv1; rua=mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:a@example.com;;v=TLSRPTv1; rua=mailto:b@example.com | false | 2 v=TLSRPTv1 TXT records (must be one)",
        "v=TLSRPTv1; rua=mailto:a@example.com;;v=TLSRPTv1; bogus        | false | 2 v=TLSRPTv1 TXT records (must be one)",
        "v=spf1 -all                                                     | false | no v=TLSRPTv1 TXT record",
        "v=TLSRPTv1; rua=ftp://x.example/                               | false | invalid TLSRPT record: no usable rua URI",
    })
    void severalRecordsMeanNone(String records, boolean found, String description) {
        TlsRptRecord.Discovered discovered = TlsRptRecord.discovered(List.of(records.split(";;")));

        assertThat(discovered.record().isPresent()).isEqualTo(found);
        assertThat(discovered.description()).startsWith(description);
    }

    @Test
    void noRecordsAtAll() {
        assertThat(TlsRptRecord.discovered(List.of()).record()).isEmpty();
    }
}
