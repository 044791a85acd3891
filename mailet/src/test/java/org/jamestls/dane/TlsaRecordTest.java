package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsaRecordTest {

    @ParameterizedTest(name = "{0} {1} {2} usable={3}")
    @CsvSource({
        "0, 0, 1, false",   // PKIX-TA: needs a CA list SMTP does not have
        "1, 1, 1, false",   // PKIX-EE
        "2, 0, 0, true",
        "2, 0, 1, true",
        "2, 1, 2, true",
        "3, 0, 0, true",
        "3, 1, 1, true",
        "3, 1, 2, true",
        "4, 1, 1, false",   // unassigned usage
        "3, 2, 1, false",   // unassigned selector
        "3, 1, 3, false",   // unassigned matching type
        "255, 1, 1, false"  // PrivCert
    })
    void usabilityForSmtp(int usage, int selector, int matching, boolean usable) {
        assertThat(new TlsaRecord(usage, selector, matching, new byte[32]).isUsableForSmtp()).isEqualTo(usable);
    }

    @Test
    void parsesAndPrintsPresentationFormat() {
        TlsaRecord r = TlsaRecord.parse("3 1 1 0123456789ABCDEF 0123456789abcdef");
        assertThat(r.usage()).isEqualTo(3);
        assertThat(r.selector()).isEqualTo(1);
        assertThat(r.matchingType()).isEqualTo(1);
        assertThat(r).hasToString("3 1 1 0123456789abcdef0123456789abcdef").isEqualTo(TlsaRecord.parse(r.toString()));
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1")).hasMessageContaining("needs usage, selector");
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 zz")).hasMessageContaining("invalid TLSA record '3 1 1 zz'");
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 256 00")).hasMessageContaining("matching type must be 0-255");
    }

    @ParameterizedTest(name = "selector {0} matching {1}")
    @CsvSource({"0, 0", "0, 1", "0, 2", "1, 0", "1, 1", "1, 2"})
    void recordForACertificateMatchesItAndNoOther(int selector, int matching) {
        TestCerts.Issued cert = TestCerts.selfSignedLeaf("a.test", "a.test");
        TestCerts.Issued other = TestCerts.selfSignedLeaf("a.test", "a.test");
        TlsaRecord r = TlsaRecord.forCertificate(3, selector, matching, cert.certificate);
        assertThat(r.data()).hasSize(matching == 1 ? 32 : matching == 2 ? 64 : r.data().length);
        assertThat(r.matches(cert.certificate)).isTrue();
        assertThat(r.matches(other.certificate)).isFalse();
    }

    @Test
    void fullDataIsShortenedInLogs() {
        TestCerts.Issued cert = TestCerts.selfSignedLeaf("a.test");
        assertThat(TlsaRecord.forCertificate(3, 0, 0, cert.certificate).toString()).matches("3 0 0 [0-9a-f]{32}\\.\\.\\.\\(\\d+ bytes\\)");
    }
}
