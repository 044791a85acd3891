package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class TrustAnchorsTest {

    @Test
    void builtInRootAnchorsAreKsk2017AndKsk2024() {
        TrustAnchors root = TrustAnchors.root();
        assertThat(root.zones()).containsExactly(Name.root);
        assertThat(root.records()).hasSize(2).allMatch(r -> r.getType() == Type.DS);
        assertThat(root.toZoneText()).contains("20326 8 2 E06D44B8", "38696 8 2 683D2D0A");
        assertThat(root.source()).isEqualTo("built-in root trust anchor");
    }

    @Test
    void readsDsRecords() throws IOException {
        TrustAnchors anchors = TrustAnchors.parse(
            "dane.test. DS 48435 13 2 071ee2ededef9eb5dcdfe1f8fe3fad6039043b53f131e0102217603d8fb3c723\n"
                + "dane.test. 3600 IN DS 48435 13 4 66f9ce894e5613c9a7d0d1d497bda8669827635473ebb1559ff358c8b62c1e8d7af2c5e8af130534f3333f91e2af31e0\n",
            "anchor.zone");
        assertThat(anchors.zones()).containsExactly(Name.fromConstantString("dane.test."));
        assertThat(anchors.records()).hasSize(2);
        assertThat(TrustAnchors.parse(anchors.toZoneText(), "again").records()).isEqualTo(anchors.records());
    }

    @Test
    void readsDnskeyRecordsAndIgnoresOtherTypes() throws IOException {
        TrustAnchors anchors = TrustAnchors.parse("; a comment\n"
            + "$TTL 60\n"
            + "dane.test. SOA ns.dane.test. h.dane.test. 1 2 3 4 5\n"
            + "dane.test. DNSKEY 257 3 13 pOetqBRh4gl7++ibhZfILCdD24agqIBggVOR5v3o1M+rZ1/5siMSRicGnpBjKRyDB8HyVTUyITzUo4PcvYM4cQ==\n",
            "keys.zone");
        assertThat(anchors.records()).singleElement().matches(r -> r.getType() == Type.DNSKEY);
        assertThat(anchors.zones()).containsExactly(Name.fromConstantString("dane.test."));
    }

    @Test
    void badTextNamesTheSourceAndTheLine() {
        assertThatThrownBy(() -> TrustAnchors.parse("dane.test. DS 48435 13 2 071ee2\nx DS nonsense\n", "file://conf/anchor.zone"))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("invalid DNSSEC trust anchor in file://conf/anchor.zone: ")
            .hasMessage("invalid DNSSEC trust anchor in file://conf/anchor.zone: line 2: expected an integer");
    }

    @Test
    void aFileWithoutAnchorsIsAnError() {
        assertThatThrownBy(() -> TrustAnchors.parse("; nothing\n", "empty.zone"))
            .hasMessage("invalid DNSSEC trust anchor in empty.zone: no DS or DNSKEY record");
    }
}
