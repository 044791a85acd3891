package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceNamesTest {

    @ParameterizedTest(name = "presented {0} vs reference {1} -> {2}")
    @CsvSource({
        "mx.dane.test,     mx.dane.test,   true",
        "*.dane.test,      mx.dane.test,   true",
        "*.dane.test,      a.mx.dane.test, false",  // one label only
        "*.dane.test,      dane.test,      false",
        "*.test,           dane.test,      false",  // never a wildcard right under a TLD-like single label
        "m*.dane.test,     mx.dane.test,   false",  // partial-label wildcards are not honoured
        "mx.dane.test,     other.test,     false"
    })
    void dnsNameMatching(String presented, String reference, boolean expected) {
        assertThat(ReferenceNames.matches(presented, reference)).isEqualTo(expected);
    }

    @Test
    void namesAreCaseAndTrailingDotInsensitive() {
        TestCerts.Issued cert = TestCerts.selfSignedLeaf("x", "MX.Dane.Test.");
        assertThat(ReferenceNames.of("mx.dane.test").matches(cert.certificate)).isTrue();
        assertThat(ReferenceNames.of("mx.dane.test.").names()).containsExactly("mx.dane.test");
    }

    @Test
    void commonNameCountsOnlyWithoutDnsNames() {
        TestCerts.Issued cnOnly = TestCerts.selfSignedLeaf("mx.dane.test");
        TestCerts.Issued withSan = TestCerts.selfSignedLeaf("mx.dane.test", "other.dane.test");
        assertThat(ReferenceNames.presentedNames(cnOnly.certificate)).containsExactly("mx.dane.test");
        assertThat(ReferenceNames.of("mx.dane.test").matches(cnOnly.certificate)).isTrue();
        assertThat(ReferenceNames.presentedNames(withSan.certificate)).containsExactly("other.dane.test");
        assertThat(ReferenceNames.of("mx.dane.test").matches(withSan.certificate)).isFalse();
    }

    @Test
    void nextHopDomainIsASecondReferenceName() {
        TestCerts.Issued cert = TestCerts.selfSignedLeaf("x", "example.org");
        assertThat(new ReferenceNames(List.of("mx.dane.test", "example.org")).matches(cert.certificate)).isTrue();
    }

    @Test
    void needsAName() {
        assertThatThrownBy(() -> new ReferenceNames(List.of(" "))).hasMessageContaining("at least one reference name");
    }
}
