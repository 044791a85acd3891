package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MtaStsTxtRecordTest {

    @ParameterizedTest(name = "[{0}] -> id {1}")
    @CsvSource(delimiter = '|', value = {
        "v=STSv1; id=20160831085700Z    | 20160831085700Z",
        "v=STSv1;id=abc                 | abc",
        "v=STSv1; id=abc;               | abc",
        "v=STSv1 ;\tid=abc              | abc",
        "v=STSv1; id=abc; ext_1=value!  | abc",
        "v=STSv1; foo.bar=x; id=A1b2    | A1b2",
        "v=STSv1; id=12345678901234567890123456789012 | 12345678901234567890123456789012",
        // dnsjava's presentation form, as James's DNSService returns it
        "\"v=STSv1; id=quoted1\"        | quoted1",
        "\"v=STSv1; \" \"id=split2\"    | split2",
        "\"v=STSv1;\\032id=escaped3\"   | escaped3",
    })
    void validRecords(String text, String id) throws Exception {
        assertThat(MtaStsTxtRecord.parse(text).id()).isEqualTo(id);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "v=STSv1",
        "v=STSv1;",
        "v=STSv1; id=",
        "v=STSv1; id=has-dash",
        "v=STSv1; id=123456789012345678901234567890123",
        "v=STSv1; id=a; id=b",
        "v=STSv1; id=a;; x=y",
        "v=STSv1; id=a; novalue",
        "v=STSv1; id=a; bad name=x",
        "v=STSv1 junk; id=a",
        "id=abc; v=STSv1",
        "v=STSv2; id=abc",
        "V=STSv1; id=abc",
        "v=STSv10; id=abc",
    })
    void invalidRecords(String text) {
        assertThatThrownBy(() -> MtaStsTxtRecord.parse(text)).isInstanceOf(MtaStsParseException.class);
    }

    @Test
    void recordsNotStartingWithTheVersionAreIgnored() {
        MtaStsTxtRecord.Announcement a = MtaStsTxtRecord.announced(
            List.of("v=spf1 -all", "\"google-site-verification=x\"", "v=STSv1; id=one"));

        assertThat(a.record()).map(MtaStsTxtRecord::id).contains("one");
        assertThat(a.description()).isEqualTo("id=one");
    }

    @Test
    void twoStsRecordsAnnounceNothing() {
        MtaStsTxtRecord.Announcement a = MtaStsTxtRecord.announced(List.of("v=STSv1; id=one", "v=STSv1; id=two"));

        assertThat(a.record()).isEmpty();
        assertThat(a.description()).contains("2 v=STSv1 TXT records");
    }

    @Test
    void noRecordOrOnlyAnInvalidOneAnnouncesNothing() {
        assertThat(MtaStsTxtRecord.announced(List.of()).record()).isEmpty();
        assertThat(MtaStsTxtRecord.announced(List.of()).description()).isEqualTo("no v=STSv1 TXT record");
        MtaStsTxtRecord.Announcement invalid = MtaStsTxtRecord.announced(List.of("v=STSv1; id=bad-id"));
        assertThat(invalid.record()).isEmpty();
        assertThat(invalid.description()).startsWith("invalid TXT record: id must be");
    }

    @Test
    void anInvalidStsRecordStillCountsTowardsTheOneRecordRule() {
        assertThat(MtaStsTxtRecord.announced(List.of("v=STSv1; id=ok", "v=STSv1; broken")).record()).isEmpty();
    }
}
