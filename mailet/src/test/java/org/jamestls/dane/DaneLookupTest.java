package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** RFC 7672 §2.2 decisions, over scripted validated answers. */
class DaneLookupTest {
    private static final String HASH = "ab".repeat(32);

    private final ScriptedValidatingResolver dns = new ScriptedValidatingResolver()
        .secure("mx.dane.test", Type.A, "192.0.2.1").secure("mx.dane.test", Type.AAAA)
        .secure("_25._tcp.mx.dane.test", Type.TLSA, "3 1 1 " + HASH, "1 1 1 " + HASH)
        .secure("_2525._tcp.mx.dane.test", Type.TLSA, "0 0 1 " + HASH, "3 2 1 " + HASH)
        .secure("_26._tcp.mx.dane.test", Type.TLSA)
        .bogus("_27._tcp.mx.dane.test", Type.TLSA, "No signatures for key")
        .unreachable("_28._tcp.mx.dane.test", Type.TLSA)
        .insecure("_29._tcp.mx.dane.test", Type.TLSA, "3 1 1 " + HASH)
        .insecure("mx.plain.test", Type.A, "192.0.2.2").insecure("mx.plain.test", Type.AAAA)
        .secure("gone.dane.test", Type.A).secure("gone.dane.test", Type.AAAA)
        .bogus("mx.bogus.test", Type.A, "Did not match a DS to a DNSKEY.")
        .secure("dane.test", Type.MX, "10 mx.dane.test.")
        .secure("nomx.dane.test", Type.MX)
        .insecure("plain.test", Type.MX, "10 mx.plain.test.")
        .bogus("bogus.test", Type.MX, "Did not match a DS to a DNSKEY.");
    private final DaneLookup lookup = new DaneLookup(ScriptedValidatingResolver.resolverOver(dns));

    @Test
    void secureTlsaWithUsableRecordsIsUsable() {
        DaneStatus s = lookup.forMx("mx.dane.test", 25);
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.USABLE);
        assertThat(s.records()).containsExactly(TlsaRecord.parse("3 1 1 " + HASH)); // PKIX-EE dropped
        assertThat(s.requiresTls()).isTrue();
        assertThat(s.authenticates()).isTrue();
        assertThat(s.describe()).isEqualTo("dane=usable for mx.dane.test:25 [3 1 1 " + HASH + "]");
        assertThat(s.trustManager("dane.test").matcher().referenceNames().names()).containsExactly("mx.dane.test", "dane.test");
    }

    @Test
    void secureTlsaWithoutUsableRecordsMeansUnauthenticatedButMandatoryTls() {
        DaneStatus s = lookup.forMx("mx.dane.test", 2525);
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.SECURE_NO_USABLE);
        assertThat(s.requiresTls()).isTrue();
        assertThat(s.authenticates()).isFalse();
        assertThatThrownBy(s::trustManager).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secureDenialMeansNoDane() {
        assertThat(lookup.forMx("mx.dane.test", 26).kind()).isEqualTo(DaneStatus.Kind.NONE);
        assertThat(lookup.forMx("mx.dane.test", 26).fallsBack()).isTrue();
        assertThat(lookup.forMx("gone.dane.test", 25).describe()).isEqualTo("dane=none for gone.dane.test:25 (no address records)");
    }

    @Test
    void bogusAndFailedAreTemporaryFailures() {
        DaneStatus bogus = lookup.forMx("mx.dane.test", 27);
        assertThat(bogus.kind()).isEqualTo(DaneStatus.Kind.BOGUS);
        assertThat(bogus.isTemporaryFailure()).isTrue();
        assertThat(bogus.describe()).isEqualTo("dane=bogus for mx.dane.test:27 (_27._tcp.mx.dane.test. TLSA: BOGUS (No signatures for key))");
        assertThat(lookup.forMx("mx.dane.test", 28).kind()).isEqualTo(DaneStatus.Kind.FAILED);
        assertThat(lookup.forMx("mx.bogus.test", 25).kind()).isEqualTo(DaneStatus.Kind.BOGUS);
    }

    @Test
    void unsignedTlsaOrAddressesFallBack() {
        assertThat(lookup.forMx("mx.dane.test", 29).kind()).isEqualTo(DaneStatus.Kind.INSECURE);
        DaneStatus plain = lookup.forMx("mx.plain.test", 25);
        assertThat(plain.kind()).isEqualTo(DaneStatus.Kind.INSECURE);
        assertThat(plain.reason()).contains("address records not signed");
    }

    @Test
    void mxSecurity() {
        assertThat(lookup.mx("dane.test").isSecure()).isTrue();
        assertThat(lookup.mx("dane.test").hosts()).containsExactly(new MxHost(10, "mx.dane.test"));
        SecureMx implicit = lookup.mx("nomx.dane.test");
        assertThat(implicit.isSecure()).isTrue();
        assertThat(implicit.isImplicit()).isTrue();
        assertThat(implicit.hosts()).containsExactly(new MxHost(0, "nomx.dane.test"));
        assertThat(lookup.mx("plain.test").kind()).isEqualTo(SecureMx.Kind.INSECURE);
        assertThat(lookup.mx("bogus.test").kind()).isEqualTo(SecureMx.Kind.BOGUS);
        assertThat(lookup.mx("bogus.test").isTemporaryFailure()).isTrue();
        assertThat(lookup.mx("silent.test").kind()).isEqualTo(SecureMx.Kind.FAILED);
    }
}
