package org.jamestls.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Unit test (surefire) of the TXT records DnsServer hands to dnsmasq. */
class DnsRecordsTest {

    @Test
    void txtRecordsBecomeDnsmasqConfLines() {
        DnsRecords records = DnsRecords.builder()
            .mx("dest.test", "mx.dest.test", 10)
            .mtaSts("Dest.Test", "20261126")
            .txt("multi.test", "first part", "second part")
            .txt("_smtp._tls.dest.test", "v=TLSRPTv1; rua=mailto:r@dest.test,https://r.dest.test/")
            .build();

        assertThat(DnsServer.txtRecordLines(records)).containsExactly(
            "txt-record=_mta-sts.dest.test,\"v=STSv1; id=20261126\"",
            "txt-record=multi.test,\"first part\",\"second part\"",
            "txt-record=_smtp._tls.dest.test,\"v=TLSRPTv1; rua=mailto:r@dest.test,https://r.dest.test/\"");
    }

    @Test
    void txtRecordsSurviveToBuilderAndCanBeRemoved() {
        DnsRecords records = DnsRecords.builder().mtaSts("a.test", "1").a("mta-sts.a.test", "127.0.0.30").build();

        DnsRecords changed = records.toBuilder().removeTxt("_mta-sts.a.test").mtaSts("a.test", "2").build();
        DnsRecords removed = changed.toBuilder().remove("_mta-sts.a.test").build();

        assertThat(records.toBuilder().build().txtRecords()).isEqualTo(records.txtRecords());
        assertThat(changed.txtRecords()).extracting(t -> t.strings.get(0)).containsExactly("v=STSv1; id=2");
        assertThat(removed.txtRecords()).isEmpty();
        assertThat(removed.aRecords()).hasSize(1);
        assertThat(DnsServer.txtRecordLines(DnsRecords.empty())).isEmpty();
    }

    @Test
    void addingRecordsThatAreThereAlreadyChangesNothing() {
        DnsRecords served = DnsRecords.builder().mx("a.test", "mx.a.test", 10).a("mx.a.test", "127.0.0.11").build();
        DnsRecords declared = DnsRecords.builder().mx("A.test", "mx.a.test", 10).build();
        DnsRecords more = DnsRecords.builder().mx("b.test", "mx.a.test", 10).servfail("c.test").build();

        assertThat(served.toBuilder().addAll(declared).build()).isEqualTo(served);
        assertThat(served.toBuilder().addAll(more).build()).isNotEqualTo(served).satisfies(merged -> {
            assertThat(merged.mxRecords()).extracting(r -> r.domain).containsExactly("a.test", "b.test");
            assertThat(merged.servfailDomains()).containsExactly("c.test");
        });
    }

    @Test
    void stringsDnsmasqWouldMisreadAreRefused() {
        assertThatThrownBy(() -> DnsRecords.builder().txt("a.test", "say \"hi\""))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quote");
        assertThatThrownBy(() -> DnsRecords.builder().txt("a.test", "back\\slash"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsRecords.builder().txt("a.test")).isInstanceOf(IllegalArgumentException.class);
    }
}
