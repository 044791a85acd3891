package org.jamestls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Type;

/** How ValidatingResolver's answers are read: AD = secure, SERVFAIL + reason = bogus, no answer = failed. */
class DnssecResolverTest {

    @Test
    void secureAnswerWithRecords() {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .secure("dane.test", Type.MX, "20 mx2.dane.test.", "10 MX.dane.test."));
        DnssecAnswer<MxHost> mx = r.mx("dane.test");
        assertThat(mx.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(mx.records()).containsExactly(new MxHost(20, "mx2.dane.test"), new MxHost(10, "mx.dane.test"));
        assertThat(mx.describe()).isEqualTo("dane.test. MX: SECURE [20 mx2.dane.test, 10 mx.dane.test]");
    }

    @Test
    void answerWithoutAdIsInsecure() {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .insecure("_25._tcp.mx.plain.test", Type.TLSA, "3 1 1 00ff"));
        DnssecAnswer<TlsaRecord> tlsa = r.tlsa("mx.plain.test", 25);
        assertThat(tlsa.status()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(tlsa.records()).containsExactly(TlsaRecord.parse("3 1 1 00ff"));
    }

    @Test
    void denialsSayWhetherTheyAreSecure() {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .secure("_25._tcp.mx.dane.test", Type.TLSA)
            .nxdomain("_2525._tcp.mx.dane.test", Type.TLSA, true)
            .nxdomain("_25._tcp.mx.plain.test", Type.TLSA, false));
        assertThat(r.tlsa("mx.dane.test", 25)).matches(DnssecAnswer::isSecureDenial)
            .matches(a -> a.content() == DnssecAnswer.Content.NO_DATA);
        assertThat(r.tlsa("mx.dane.test", 2525)).matches(DnssecAnswer::isSecureDenial)
            .matches(a -> a.content() == DnssecAnswer.Content.NO_DOMAIN);
        assertThat(r.tlsa("mx.plain.test", 25)).matches(a -> a.isDenial() && !a.isSecureDenial());
    }

    @Test
    void servfailWithAValidationReasonIsBogus() {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .bogus("bogus.dane.test", Type.MX, "Did not match a DS to a DNSKEY."));
        DnssecAnswer<MxHost> mx = r.mx("bogus.dane.test");
        assertThat(mx.status()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(mx.reason()).contains("Did not match a DS to a DNSKEY.");
        assertThat(mx.isTemporaryFailure()).isTrue();
    }

    @Test
    void upstreamServfailTimeoutAndSilenceAreFailures() {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .upstreamServfail("broken.test", Type.MX)
            .unreachable("down.test", Type.MX));
        assertThat(r.mx("broken.test").status()).isEqualTo(DnssecStatus.FAILED);
        assertThat(r.mx("broken.test").reason()).contains("127.0.0.1:53 answered SERVFAIL");
        assertThat(r.mx("down.test").reason().orElseThrow()).startsWith("lookup through 127.0.0.1:53 failed: IOException");
        assertThat(r.mx("silent.test").reason()).contains("no answer from 127.0.0.1:53 within 300 ms");
    }

    @Test
    void addressesAreSecureOnlyIfBothFamiliesAre() throws Exception {
        DnssecResolver r = ScriptedValidatingResolver.resolverOver(new ScriptedValidatingResolver()
            .secure("mx.dane.test", Type.A, "192.0.2.1")
            .secure("mx.dane.test", Type.AAAA)
            .secure("mixed.test", Type.A, "192.0.2.2")
            .insecure("mixed.test", Type.AAAA, "2001:db8::2")
            .secure("v6.test", Type.A)
            .bogus("v6.test", Type.AAAA, "bad signature"));
        assertThat(r.addresses("mx.dane.test").records()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(r.addresses("mx.dane.test").status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(r.addresses("mixed.test").status()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(r.addresses("mixed.test").records()).hasSize(2);
        assertThat(r.addresses("v6.test").status()).isEqualTo(DnssecStatus.BOGUS);
    }

    @ParameterizedTest(name = "{0} -> {1}:{2}")
    @CsvSource({
        "127.0.0.40,        127.0.0.40, 53",
        "127.0.0.40:5353,   127.0.0.40, 5353",
        "' 10.0.0.1:53 ',   10.0.0.1,   53",
        "[::1]:5300,        0:0:0:0:0:0:0:1, 5300",
        "[::1],             0:0:0:0:0:0:0:1, 53",
        "::1,               0:0:0:0:0:0:0:1, 53"
    })
    void resolverAddress(String value, String host, int port) {
        InetSocketAddress a = DnssecResolver.parseAddress(value);
        assertThat(a.getAddress().getHostAddress()).isEqualTo(host);
        assertThat(a.getPort()).isEqualTo(port);
    }

    @Test
    void badResolverAddress() {
        assertThatThrownBy(() -> DnssecResolver.parseAddress("127.0.0.1:0")).hasMessageContaining("port must be 1-65535");
        assertThatThrownBy(() -> DnssecResolver.parseAddress(":53")).hasMessageContaining("no host");
        assertThatThrownBy(() -> DnssecResolver.parseAddress("[::1")).hasMessageContaining("missing ]");
    }
}
