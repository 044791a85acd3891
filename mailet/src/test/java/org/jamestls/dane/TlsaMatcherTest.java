package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7672 §3.1: DANE-EE and DANE-TA against real (BouncyCastle) chains. */
class TlsaMatcherTest {
    private static final ReferenceNames MX = ReferenceNames.of("mx.dane.test");

    private static TestCerts.Issued root;
    private static TestCerts.Issued intermediate;
    private static TestCerts.Issued leaf;

    @BeforeAll
    static void chain() {
        root = TestCerts.rootCa("Dane Root");
        intermediate = TestCerts.intermediate("Dane Intermediate", root);
        leaf = TestCerts.leaf("mx.dane.test", intermediate, "mx.dane.test");
    }

    private static List<X509Certificate> fullChain() {
        return List.of(leaf.certificate, intermediate.certificate, root.certificate);
    }

    private static TlsaMatch match(List<X509Certificate> chain, ReferenceNames names, TlsaRecord... records) {
        return new TlsaMatcher(List.of(records), names).match(chain);
    }

    @ParameterizedTest(name = "3 {0} {1} matches the leaf")
    @CsvSource({"0, 0", "0, 1", "0, 2", "1, 0", "1, 1", "1, 2"})
    void daneEeMatchesTheLeaf(int selector, int matching) {
        TlsaRecord r = TlsaRecord.forCertificate(3, selector, matching, leaf.certificate);
        TlsaMatch m = match(fullChain(), MX, r);
        assertThat(m.isMatch()).isTrue();
        assertThat(m.record()).contains(r);
        assertThat(m.description()).startsWith("dane-ee 3 " + selector + " " + matching);
    }

    @ParameterizedTest(name = "3 {0} {1} of the issuer does not match")
    @CsvSource({"0, 1", "1, 1"})
    void daneEeIsAboutTheLeafOnly(int selector, int matching) {
        assertThat(match(fullChain(), MX, TlsaRecord.forCertificate(3, selector, matching, intermediate.certificate)).isMatch())
            .isFalse();
    }

    @Test
    void daneEeIgnoresNamesAndExpiry() {
        TestCerts.Issued expiredElsewhere = TestCerts.expiredLeaf("nobody.invalid", root, "nobody.invalid");
        TlsaMatch m = match(List.of(expiredElsewhere.certificate), MX,
            TlsaRecord.forCertificate(3, 1, 1, expiredElsewhere.certificate));
        assertThat(m.isMatch()).isTrue();
    }

    @ParameterizedTest(name = "2 {0} {1} of the {2}")
    @CsvSource({
        "0, 0, root", "0, 1, root", "0, 2, root", "1, 0, root", "1, 1, root", "1, 2, root",
        "0, 1, intermediate", "1, 1, intermediate"
    })
    void daneTaMatchesAnIssuerInTheChain(int selector, int matching, String which) {
        X509Certificate anchor = which.equals("root") ? root.certificate : intermediate.certificate;
        TlsaRecord r = TlsaRecord.forCertificate(2, selector, matching, anchor);
        TlsaMatch m = match(fullChain(), MX, r);
        assertThat(m.isMatch()).as(m.description()).isTrue();
        assertThat(m.description()).startsWith("dane-ta 2 " + selector + " " + matching)
            .contains("depth " + (which.equals("root") ? 2 : 1));
    }

    @Test
    void daneTaKeyMayBeAbsentFromTheChain() {
        // "2 1 0": the full key of the anchor is in DNS, the server sends leaf + intermediate only
        TlsaRecord r = TlsaRecord.forCertificate(2, 1, 0, root.certificate);
        TlsaMatch m = match(List.of(leaf.certificate, intermediate.certificate), MX, r);
        assertThat(m.isMatch()).as(m.description()).isTrue();
        assertThat(m.description()).contains("key of the issuer of CN=Dane Intermediate");
    }

    @Test
    void daneTaChecksTheLeafName() {
        TestCerts.Issued wrongName = TestCerts.leaf("www.other.test", root, "www.other.test");
        TlsaMatch m = match(List.of(wrongName.certificate, root.certificate), MX, TlsaRecord.forCertificate(2, 0, 1, root.certificate));
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).contains("matched depth 1, CN=Dane Root but the leaf names [www.other.test], none of [mx.dane.test]");
    }

    @Test
    void daneTaAcceptsTheNextHopDomainAndWildcards() {
        TestCerts.Issued nextHop = TestCerts.leaf("example.org", root, "example.org");
        TestCerts.Issued wildcard = TestCerts.leaf("wild", root, "*.dane.test");
        TlsaRecord r = TlsaRecord.forCertificate(2, 1, 1, root.certificate);
        assertThat(match(List.of(nextHop.certificate, root.certificate), ReferenceNames.of("mx.dane.test", "example.org"), r)
            .isMatch()).isTrue();
        assertThat(match(List.of(wildcard.certificate, root.certificate), MX, r).isMatch()).isTrue();
    }

    @Test
    void daneTaRejectsAnExpiredLeaf() {
        TestCerts.Issued expired = TestCerts.expiredLeaf("mx.dane.test", root, "mx.dane.test");
        TlsaMatch m = match(List.of(expired.certificate, root.certificate), MX, TlsaRecord.forCertificate(2, 0, 1, root.certificate));
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).contains("but the chain does not validate");
    }

    @Test
    void daneTaRejectsAChainTheAnchorDidNotSign() {
        TestCerts.Issued otherRoot = TestCerts.rootCa("Other Root");
        // the server sends the right anchor certificate, but the leaf was issued by another CA
        TestCerts.Issued foreign = TestCerts.leaf("mx.dane.test", otherRoot, "mx.dane.test");
        TlsaMatch m = match(List.of(foreign.certificate, root.certificate), MX, TlsaRecord.forCertificate(2, 0, 1, root.certificate));
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).contains("2 0 1").contains("does not validate");
    }

    @Test
    void daneTaOnANonSelfIssuedLeafIsNoTrustAnchor() {
        TlsaMatch m = match(fullChain(), MX, TlsaRecord.forCertificate(2, 1, 1, leaf.certificate));
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).contains("matched the leaf, which is not self-issued");
    }

    @Test
    void daneTaOnASelfSignedLeafChecksItsName() {
        TestCerts.Issued self = TestCerts.selfSignedLeaf("mx.dane.test", "mx.dane.test");
        TlsaRecord r = TlsaRecord.forCertificate(2, 0, 1, self.certificate);
        assertThat(match(List.of(self.certificate), MX, r).isMatch()).isTrue();
        assertThat(match(List.of(self.certificate), ReferenceNames.of("other.test"), r).isMatch()).isFalse();
    }

    @Test
    void pkixUsagesAreIgnored() {
        TlsaMatch m = match(fullChain(), MX, TlsaRecord.forCertificate(1, 1, 1, leaf.certificate),
            TlsaRecord.forCertificate(0, 0, 1, root.certificate));
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).endsWith("tried ");
    }

    @Test
    void failureNamesTheLeafDigestsAndTheRecordsTried() {
        TlsaRecord other = TlsaRecord.forCertificate(3, 1, 1, TestCerts.selfSignedLeaf("x").certificate);
        TlsaMatch m = match(fullChain(), MX, other);
        assertThat(m.isMatch()).isFalse();
        assertThat(m.description()).isEqualTo("no TLSA record matches: leaf CN=mx.dane.test"
            + " sha256 spki=" + Hex.format(TlsaRecord.forCertificate(3, 1, 1, leaf.certificate).data())
            + " sha256 cert=" + Hex.format(TlsaRecord.forCertificate(3, 0, 1, leaf.certificate).data())
            + ", tried " + other);
    }
}
