package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MtaStsPolicyTest {

    @Test
    void parsesTheRfcExample() throws Exception {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
            + "mx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n");

        assertThat(policy.mode()).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(policy.mxPatterns()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(policy.maxAge()).isEqualTo(Duration.ofSeconds(604800));
        assertThat(policy).hasToString("enforce mx=[mail.example.com, *.example.net, backupmx.example.com] max_age=604800");
    }

    @Test
    void crlfLineEndingsExtensionsAndWhitespaceAreAccepted() throws Exception {
        String text = "version: STSv1\r\nmode:testing\r\nmx:  MX.Example.COM.  \r\nx_custom: anything at all\r\n"
            + "max_age: 86400";
        MtaStsPolicy policy = MtaStsPolicy.parse(text);

        assertThat(policy.mode()).isEqualTo(MtaStsMode.TESTING);
        assertThat(policy.mxPatterns()).containsExactly("mx.example.com");
        assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(1));
        assertThat(policy.text()).isEqualTo(text);
    }

    @Test
    void modeNoneNeedsNoMx() throws Exception {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 0\n");

        assertThat(policy.mode()).isEqualTo(MtaStsMode.NONE);
        assertThat(policy.mxPatterns()).isEmpty();
        assertThat(policy.maxAge()).isZero();
    }

    @Test
    void maxAgeUpperBoundIsAccepted() throws Exception {
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 31557600\n").maxAge().getSeconds())
            .isEqualTo(31557600L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no version          | mode: enforce\\nmx: a.test\\nmax_age: 1                   | no version field",
        "wrong version       | version: STSv2\\nmode: enforce\\nmx: a.test\\nmax_age: 1 | version must be STSv1",
        "no mode             | version: STSv1\\nmx: a.test\\nmax_age: 1                 | no mode field",
        "bad mode            | version: STSv1\\nmode: strict\\nmx: a.test\\nmax_age: 1  | mode must be enforce, testing or none",
        "mode in upper case  | version: STSv1\\nmode: ENFORCE\\nmx: a.test\\nmax_age: 1 | mode must be",
        "no max_age          | version: STSv1\\nmode: enforce\\nmx: a.test              | no max_age field",
        "max_age too large   | version: STSv1\\nmode: none\\nmax_age: 31557601          | exceeds 31557600",
        "max_age negative    | version: STSv1\\nmode: none\\nmax_age: -1                | max_age must be",
        "max_age 11 digits   | version: STSv1\\nmode: none\\nmax_age: 00000000001       | max_age must be",
        "max_age not number  | version: STSv1\\nmode: none\\nmax_age: 1d                | max_age must be",
        "enforce without mx  | version: STSv1\\nmode: enforce\\nmax_age: 1              | without any mx",
        "testing without mx  | version: STSv1\\nmode: testing\\nmax_age: 1              | without any mx",
        "bad mx pattern      | version: STSv1\\nmode: enforce\\nmx: a..test\\nmax_age: 1 | invalid mx pattern",
        "wildcard inside     | version: STSv1\\nmode: enforce\\nmx: mx.*.test\\nmax_age: 1 | invalid mx pattern",
        "bare wildcard       | version: STSv1\\nmode: enforce\\nmx: *\\nmax_age: 1      | invalid mx pattern",
        "mode twice          | version: STSv1\\nmode: none\\nmode: enforce\\nmax_age: 1  | mode appears more than once",
        "line without colon  | version: STSv1\\nmode none\\nmax_age: 1                  | is not 'key: value'",
        "html error page     | <html><body>Not here</body></html>                       | is not 'key: value'",
    })
    void invalidPolicies(String what, String text, String reason) {
        assertThatThrownBy(() -> MtaStsPolicy.parse(text.replace("\\n", "\n")))
            .isInstanceOf(MtaStsParseException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        "mail.example.com,      mail.example.com,     true",
        "mail.example.com,      MAIL.Example.Com,     true",
        "mail.example.com,      mail.example.com.,    true",
        "mail.example.com,      mail2.example.com,    false",
        "mail.example.com,      example.com,          false",
        "*.example.com,         mx1.example.com,      true",
        "*.example.com,         MX1.EXAMPLE.COM.,     true",
        "*.example.com,         example.com,          false",
        "*.example.com,         a.b.example.com,      false",
        "*.example.com,         mx1.example.com.evil, false",
        "*.example.com,         mx1example.com,       false",
        "*.example.com,         .example.com,         false",
        "*.Example.COM.,        mx.example.com,       true",
    })
    void mxPatternMatching(String pattern, String host, boolean matches) throws Exception {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: " + pattern + "\nmax_age: 60\n");

        assertThat(policy.matches(host)).isEqualTo(matches);
    }

    @Test
    void anyOfSeveralPatternsMatches() throws Exception {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.test\nmx: *.b.test\nmax_age: 60");

        assertThat(policy.matches("a.test")).isTrue();
        assertThat(policy.matches("x.b.test")).isTrue();
        assertThat(policy.matches("c.test")).isFalse();
        assertThat(policy.matches("")).isFalse();
    }
}
