package org.jamestls.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TlsPolicyParserTest {
    private static final String TLS_VALUES = "no, ifavailable, required";
    private static final String REMEMBER_VALUES = "allowed values: off, or a duration with a unit from 1 second to 31 days";
    private static final String ROOT_CHILDREN = "tls, tlsIfAvailableFallback, tlsVerify, tlsCa, tlsCertificate, tlsKey, tlsProtocols, tlsCiphers, mtaSts, dane, tlsRequiredHeader, tlsRememberBroken, tlsRpt, domain, bindingGroup, binding";
    private static final String BINDING_CHILDREN = "allowed inside <binding>: tls, tlsIfAvailableFallback, tlsVerify, tlsCa, tlsCertificate, tlsKey, tlsProtocols, tlsCiphers, mtaSts, dane, tlsRequiredHeader, tlsRememberBroken, tlsRpt, domain";
    private static final String DOMAIN_CHILDREN = "allowed inside <domain>: tls, tlsIfAvailableFallback, tlsVerify, tlsCa, tlsCertificate, tlsKey, tlsProtocols, tlsCiphers";

    /** Wraps scope content in the root element; single quotes keep the cases readable. */
    private static String policy(String body) {
        return "<tlsPolicy>\n" + body + "\n</tlsPolicy>";
    }

    private static Arguments bad(String description, String xml, String... expectedFragments) {
        return Arguments.of(description, xml, List.of(expectedFragments));
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            bad("malformed XML", policy("<tls>no</tlss>"),
                "line 2, column", "malformed XML", "\"tls\""),
            bad("DOCTYPE / external entity", "<!DOCTYPE tlsPolicy [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                    + "<tlsPolicy><tls>&x;</tls></tlsPolicy>",
                "line 1, column", "DOCTYPE declarations are not allowed"),
            bad("wrong root element", "<policy><tls>no</tls></policy>",
                "/policy: ", "<policy>", "expected <tlsPolicy>"),
            bad("attribute on root", "<tlsPolicy version='2'/>",
                "/tlsPolicy/@version", "'version'", "'2'", "no attributes are allowed"),
            bad("bad tls in a grouped binding",
                policy("<bindingGroup name='transactional'><binding name='tx1'><tls>maybe</tls></binding></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='transactional']/binding[@name='tx1']/tls:", "'maybe'", TLS_VALUES),
            bad("empty tls", policy("<tls>  </tls>"),
                "/tlsPolicy/tls:", "invalid value ''", TLS_VALUES),
            bad("bad tlsIfAvailableFallback",
                policy("<domain name='a.example'><tlsIfAvailableFallback>yes</tlsIfAvailableFallback></domain>"),
                "/tlsPolicy/domain[@name='a.example']/tlsIfAvailableFallback:", "'yes'", "true, false"),
            bad("bad tlsVerify", policy("<tlsVerify>yes</tlsVerify>"),
                "/tlsPolicy/tlsVerify:", "'yes'", "no, ca, host, optional"),
            bad("bad mtaSts", policy("<domain name='a.example'><mtaSts>true</mtaSts></domain>"),
                "/tlsPolicy/domain[@name='a.example']/mtaSts:", "'true'", "on, off"),
            bad("bad dane", policy("<bindingGroup name='g'><dane>enforce</dane></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']/dane:", "'enforce'", "on, off"),
            bad("bad tlsRequiredHeader", policy("<domain name='a.example'><tlsRequiredHeader>yes</tlsRequiredHeader></domain>"),
                "/tlsPolicy/domain[@name='a.example']/tlsRequiredHeader:", "'yes'", "published, all, ignore"),
            bad("tlsRequiredHeader repeated in a group", policy("<bindingGroup name='g'><binding name='b'/>"
                    + "<tlsRequiredHeader>all</tlsRequiredHeader><tlsRequiredHeader>ignore</tlsRequiredHeader></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']/tlsRequiredHeader[2]:", "'all' and 'ignore'", "at most once per scope"),
            bad("tlsRememberBroken without a unit", policy("<tlsRememberBroken>3600</tlsRememberBroken>"),
                "/tlsPolicy/tlsRememberBroken:", "'3600'", REMEMBER_VALUES),
            bad("tlsRememberBroken with an unknown unit",
                policy("<binding name='b'><tlsRememberBroken>2 fortnights</tlsRememberBroken></binding>"),
                "/tlsPolicy/binding[@name='b']/tlsRememberBroken:", "'2 fortnights'", REMEMBER_VALUES),
            bad("tlsRememberBroken zero", policy("<tlsRememberBroken>0 minutes</tlsRememberBroken>"),
                "/tlsPolicy/tlsRememberBroken:", "'0 minutes'", REMEMBER_VALUES),
            bad("tlsRememberBroken below one second", policy("<tlsRememberBroken>500 ms</tlsRememberBroken>"),
                "/tlsPolicy/tlsRememberBroken:", "'500 ms'", REMEMBER_VALUES),
            bad("tlsRememberBroken longer than 31 days", policy("<tlsRememberBroken>32 days</tlsRememberBroken>"),
                "/tlsPolicy/tlsRememberBroken:", "'32 days'", REMEMBER_VALUES),
            bad("tlsRememberBroken negative", policy("<tlsRememberBroken>-1 hour</tlsRememberBroken>"),
                "/tlsPolicy/tlsRememberBroken:", "'-1 hour'", REMEMBER_VALUES),
            bad("tlsRememberBroken as a boolean",
                policy("<bindingGroup name='g'><binding name='b'/><domain name='a.example'>"
                    + "<tlsRememberBroken>true</tlsRememberBroken></domain></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']/domain[@name='a.example']/tlsRememberBroken:", "'true'", REMEMBER_VALUES),
            bad("bad tlsRpt", policy("<tlsRpt>yes</tlsRpt>"),
                "/tlsPolicy/tlsRpt:", "'yes'", "on, off"),
            bad("empty tlsRpt in a binding's domain",
                policy("<binding name='b'><domain name='a.example'><tlsRpt/></domain></binding>"),
                "/tlsPolicy/binding[@name='b']/domain[@name='a.example']/tlsRpt:", "invalid value ''", "on, off"),
            bad("protocol the JDK does not know",
                policy("<domain name='a.example'><tlsProtocols>TLSv1.2 SSLv9</tlsProtocols></domain>"),
                "/tlsPolicy/domain[@name='a.example']/tlsProtocols:", "'TLSv1.2 SSLv9'", "protocols this JDK supports", "TLSv1.3"),
            bad("cipher suite the JDK does not know", policy("<tlsCiphers>TLS_NOPE_WITH_NOTHING</tlsCiphers>"),
                "/tlsPolicy/tlsCiphers:", "'TLS_NOPE_WITH_NOTHING'", "cipher suites this JDK supports", "TLS_AES_128_GCM_SHA256"),
            bad("blank tlsCa", policy("<tlsCa> </tlsCa>"),
                "/tlsPolicy/tlsCa:", "James FileSystem URL"),
            bad("unknown element at top level", policy("<tlsVerifyHost>yes</tlsVerifyHost>"),
                "/tlsPolicy/tlsVerifyHost:", "unknown element <tlsVerifyHost>", ROOT_CHILDREN),
            bad("unknown element in a domain", policy("<domain name='a.example'><foo/></domain>"),
                "/tlsPolicy/domain[@name='a.example']/foo:", "unknown element <foo>", DOMAIN_CHILDREN),
            bad("element inside an option", policy("<tls><required/></tls>"),
                "/tlsPolicy/tls/required:", "<required>", "<tls> contains only a value"),
            bad("unknown attribute on binding", policy("<binding name='b' bindAdress='192.0.2.1'/>"),
                "/tlsPolicy/binding[@name='b']/@bindAdress:", "'bindAdress'", "'192.0.2.1'",
                "allowed attributes: bindAddress, heloName, name"),
            bad("unknown attribute on domain", policy("<domain name='a.example' tls='no'/>"),
                "/tlsPolicy/domain[@name='a.example']/@tls:", "'tls'", "allowed attributes: name"),
            bad("attribute on an option", policy("<tls level='no'>no</tls>"),
                "/tlsPolicy/tls/@level:", "'level'", "no attributes are allowed"),
            bad("tls repeated globally", policy("<tls>no</tls><tls>required</tls>"),
                "/tlsPolicy/tls[2]:", "'no' and 'required'", "at most once per scope"),
            bad("tlsIfAvailableFallback repeated in a binding", policy("<binding name='b'>"
                    + "<tlsIfAvailableFallback>true</tlsIfAvailableFallback>"
                    + "<tlsIfAvailableFallback>false</tlsIfAvailableFallback></binding>"),
                "/tlsPolicy/binding[@name='b']/tlsIfAvailableFallback[2]:", "'true' and 'false'", "at most once"),
            bad("binding without name", policy("<binding bindAddress='192.0.2.1'/>"),
                "/tlsPolicy/binding:", "binding without a name", "non-blank name"),
            bad("binding with blank name", policy("<binding name='  '/>"),
                "/tlsPolicy/binding/@name:", "blank name '  '", "non-blank name"),
            bad("group without name", policy("<bindingGroup><binding name='a'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup:", "binding group without a name", "non-blank name"),
            bad("group with blank name", policy("<bindingGroup name=''><binding name='a'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup/@name:", "blank name ''", "non-blank name"),
            bad("duplicate standalone binding", policy("<binding name='a'/><binding name='a'/>"),
                "/tlsPolicy/binding[@name='a']:", "duplicate binding name 'a'", "already defined at /tlsPolicy/binding",
                "unique in the whole file"),
            bad("binding both in a group and standalone",
                policy("<bindingGroup name='g'><binding name='a'/></bindingGroup><binding name='a'/>"),
                "/tlsPolicy/binding[@name='a']:", "duplicate binding name 'a'",
                "already defined at /tlsPolicy/bindingGroup[@name='g']/binding[@name='a']"),
            bad("binding in two groups", policy("<bindingGroup name='g1'><binding name='a'/></bindingGroup>"
                    + "<bindingGroup name='g2'><binding name='a'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g2']/binding[@name='a']:", "'a'", "binding group 'g1'",
                "binding group 'g2'", "at most one group"),
            bad("binding names differing only in case", policy("<binding name='tx1'/><binding name='TX1'/>"),
                "/tlsPolicy/binding[@name='TX1']:", "'TX1'", "'tx1'", "case-sensitively"),
            bad("duplicate group", policy("<bindingGroup name='g'><binding name='a'/></bindingGroup>"
                    + "<bindingGroup name='g'><binding name='b'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']:", "duplicate binding group name 'g'", "unique"),
            bad("group named like an earlier binding",
                policy("<binding name='x'/><bindingGroup name='x'><binding name='y'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='x']:", "'x'", "both a binding and a binding group",
                "at /tlsPolicy/binding[@name='x']", "distinct names"),
            bad("binding named like its group", policy("<bindingGroup name='x'><binding name='x'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='x']/binding[@name='x']:", "'x'", "distinct names"),
            bad("bindAddress is a host name", policy("<binding name='b' bindAddress='mail.example.org'/>"),
                "/tlsPolicy/binding[@name='b']/@bindAddress:", "'mail.example.org'", "IPv4 literal", "IPv6",
                "not resolved"),
            bad("bindAddress looks like hex but is a host name", policy("<binding name='b' bindAddress='cafe'/>"),
                "/tlsPolicy/binding[@name='b']/@bindAddress:", "'cafe'", "IPv4 literal"),
            bad("bindAddress octet out of range", policy("<binding name='b' bindAddress='192.0.2.256'/>"),
                "/tlsPolicy/binding[@name='b']/@bindAddress:", "'192.0.2.256'", "IPv4 literal"),
            bad("bindAddress bad IPv6", policy("<binding name='b' bindAddress='2001:db8:::1'/>"),
                "/tlsPolicy/binding[@name='b']/@bindAddress:", "'2001:db8:::1'", "IPv6 literal"),
            bad("bindAddress empty", policy("<binding name='b' bindAddress=''/>"),
                "/tlsPolicy/binding[@name='b']/@bindAddress:", "invalid bindAddress ''", "IPv4 literal"),
            bad("heloName with a space", policy("<binding name='b' heloName='mta 1.example.org'/>"),
                "/tlsPolicy/binding[@name='b']/@heloName:", "'mta 1.example.org'", "a host name"),
            bad("domain without name", policy("<domain><tls>no</tls></domain>"),
                "/tlsPolicy/domain:", "domain without a name", "non-blank name"),
            bad("domain with blank name", policy("<binding name='b'><domain name=' '/></binding>"),
                "/tlsPolicy/binding[@name='b']/domain/@name:", "blank name ' '", "non-blank name"),
            bad("domain that is only a dot", policy("<domain name='.'/>"),
                "/tlsPolicy/domain[@name='.']/@name:", "invalid domain name '.'", "such as example.com"),
            bad("duplicate domain in one scope (case and trailing dot ignored)",
                policy("<domain name='a.example'/><domain name='A.Example.'/>"),
                "/tlsPolicy/domain[@name='A.Example.']:", "'A.Example.'", "'a.example'", "once per scope"),
            bad("bindingGroup inside binding", policy("<binding name='b'><bindingGroup name='g'/></binding>"),
                "/tlsPolicy/binding[@name='b']/bindingGroup[@name='g']:", "<bindingGroup> is not allowed here",
                "only directly inside <tlsPolicy>", BINDING_CHILDREN),
            bad("bindingGroup inside bindingGroup", policy("<bindingGroup name='g'><bindingGroup name='h'/></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']/bindingGroup[@name='h']:", "<bindingGroup> is not allowed here",
                "allowed inside <bindingGroup>: tls, tlsIfAvailableFallback, tlsVerify, tlsCa, tlsCertificate, tlsKey, tlsProtocols, tlsCiphers, mtaSts, dane, tlsRequiredHeader, tlsRememberBroken, tlsRpt, domain, binding"),
            bad("a U-label and its A-label in one scope",
                policy("<domain name='bücher.example'/><domain name='XN--BCHER-KVA.example'/>"),
                "/tlsPolicy/domain[@name='XN--BCHER-KVA.example']:", "'XN--BCHER-KVA.example'", "'bücher.example'",
                "once per scope"),
            bad("internationalised domain that has no A-label",
                policy("<domain name='" + "ü".repeat(70) + ".example'/>"),
                "/tlsPolicy/domain[@name='", "invalid internationalised domain name", "such as example.com"),
            bad("domain inside domain", policy("<domain name='a.example'><domain name='b.example'/></domain>"),
                "/tlsPolicy/domain[@name='a.example']/domain[@name='b.example']:", "<domain> is not allowed here",
                DOMAIN_CHILDREN),
            bad("binding inside domain",
                policy("<bindingGroup name='g'><domain name='a.example'><binding name='b'/></domain></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']/domain[@name='a.example']/binding[@name='b']:",
                "<binding> is not allowed here", DOMAIN_CHILDREN),
            bad("binding inside binding", policy("<binding name='a'><binding name='b'/></binding>"),
                "/tlsPolicy/binding[@name='a']/binding[@name='b']:", "<binding> is not allowed here", BINDING_CHILDREN),
            bad("tlsPolicy nested", policy("<tlsPolicy/>"),
                "/tlsPolicy/tlsPolicy:", "only as the root element", ROOT_CHILDREN),
            bad("stray text in a binding", policy("<binding name='b'>required</binding>"),
                "/tlsPolicy/binding[@name='b']:", "unexpected text 'required'", "tls, tlsIfAvailableFallback, tlsVerify, tlsCa, tlsCertificate, tlsKey, tlsProtocols, tlsCiphers, mtaSts, dane, tlsRequiredHeader, tlsRememberBroken, tlsRpt, domain"),
            bad("group without bindings", policy("<bindingGroup name='g'><tls>no</tls></bindingGroup>"),
                "/tlsPolicy/bindingGroup[@name='g']:", "contains no <binding>", "at least one"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badConfigurations")
    void rejectsBadConfigurationNamingFilePathValueAndAllowedValues(String description, String xml,
                                                                    List<String> expectedFragments) {
        assertThatThrownBy(() -> PolicyFixtures.parse(xml))
            .isInstanceOf(PolicyConfigurationException.class)
            .message()
            .startsWith(PolicyFixtures.SOURCE + ": ")
            .contains(expectedFragments);
    }

    @Test
    void parsesTheExampleIntoTheExpectedStructure() throws Exception {
        Binding tx1 = Binding.builder("tx1")
            .bindAddress(InetAddress.getByName("192.0.2.10"))
            .heloName("tx1.example.org")
            .options(ScopeOptions.builder().tls(TlsLevel.REQUIRED).build())
            .domain("legacy.example", ScopeOptions.builder().tls(TlsLevel.NO).build())
            .groupName("transactional")
            .build();
        BindingGroup transactional = new BindingGroup("transactional",
            ScopeOptions.builder().tls(TlsLevel.IFAVAILABLE).build(),
            Map.of("partner.example", ScopeOptions.builder().tls(TlsLevel.REQUIRED).build()),
            List.of(tx1));
        Binding bulk = Binding.builder("bulk")
            .bindAddress(InetAddress.getByName("192.0.2.20"))
            .heloName("bulk.example.org")
            .build();
        TlsPolicy expected = new TlsPolicy(
            ScopeOptions.builder().tls(TlsLevel.IFAVAILABLE).build(),
            Map.of("bank.example", ScopeOptions.builder().tls(TlsLevel.REQUIRED).build()),
            List.of(transactional),
            List.of(bulk));

        TlsPolicy parsed = PolicyFixtures.parse(PolicyFixtures.EXAMPLE);

        assertThat(parsed).isEqualTo(expected);
        assertThat(parsed.bindings()).extracting(Binding::name).containsExactly("tx1", "bulk");
        assertThat(parsed.binding("tx1")).contains(tx1);
        assertThat(parsed.binding("TX1")).isEmpty();
        assertThat(parsed.group("transactional")).contains(transactional);
        assertThat(parsed.globalOptions().tlsIfAvailableFallback()).isEmpty();
    }

    @Test
    void internationalisedDomainNamesAreKeptAsALabels() throws Exception {
        TlsPolicy parsed = PolicyFixtures.parse(policy("<domain name='Bücher.Example.'><tls>required</tls></domain>"
            + "<binding name='b'><domain name='münchen.example'><tls>ifavailable</tls></domain></binding>"));

        ResolvedTlsPolicy global = parsed.resolve("xn--bcher-kva.example", java.util.Optional.empty());
        assertThat(global.tls().value()).isEqualTo(TlsLevel.REQUIRED);
        assertThat(global.tls().decidedBy().toString()).isEqualTo("global domain xn--bcher-kva.example");
        assertThat(parsed.resolve("xn--mnchen-3ya.example", parsed.binding("b")).tls().value())
            .isEqualTo(TlsLevel.IFAVAILABLE);
        assertThat(parsed.resolve("bucher.example", java.util.Optional.empty()).tls().value()).isEqualTo(TlsLevel.NO);
    }

    @Test
    void emptyPolicyIsValidAndAllDefaults() throws Exception {
        assertThat(PolicyFixtures.parse("<tlsPolicy/>")).isEqualTo(TlsPolicy.empty());
    }

    @Test
    void toleratesCommentsWhitespaceCdataAndValueCase() throws Exception {
        TlsPolicy parsed = PolicyFixtures.parse("<?xml version='1.0' encoding='UTF-8'?>\n<!-- header -->\n"
            + policy("  <!-- c -->\n  <tls>\n  <!-- c --> REQUIRED \n</tls>\n"
                + "<tlsIfAvailableFallback><![CDATA[ False ]]></tlsIfAvailableFallback>\n"
                + "<binding name='v6' bindAddress=' 2001:DB8::10 ' heloName='[IPv6:2001:db8::10]'/>"));

        assertThat(parsed.globalOptions())
            .isEqualTo(ScopeOptions.builder().tls(TlsLevel.REQUIRED).tlsIfAvailableFallback(false).build());
        Binding v6 = parsed.binding("v6").orElseThrow();
        assertThat(v6.bindAddress()).contains(InetAddress.getByName("2001:db8::10"));
        assertThat(v6.heloName()).contains("[IPv6:2001:db8::10]");
        assertThat(v6.groupName()).isEmpty();
    }

    @Test
    void everyOptionIsAcceptedInEveryScope() throws Exception {
        String options = "<tls>required</tls><tlsIfAvailableFallback>true</tlsIfAvailableFallback>";
        ScopeOptions expected = ScopeOptions.builder().tls(TlsLevel.REQUIRED).tlsIfAvailableFallback(true).build();

        TlsPolicy parsed = PolicyFixtures.parse(policy(options
            + "<domain name='a.example'>" + options + "</domain>"
            + "<bindingGroup name='g'>" + options + "<domain name='a.example'>" + options + "</domain>"
            + "<binding name='b'>" + options + "<domain name='a.example'>" + options + "</domain></binding>"
            + "</bindingGroup>"));

        BindingGroup group = parsed.group("g").orElseThrow();
        Binding binding = parsed.binding("b").orElseThrow();
        assertThat(List.of(parsed.globalOptions(), parsed.globalDomains().get("a.example"), group.options(),
            group.domainOptions("a.example"), binding.options(), binding.domainOptions("A.EXAMPLE.")))
            .containsOnly(expected);
    }

    static Stream<Arguments> goodSenderAndReportingValues() {
        return Stream.of(
            Arguments.of("<tlsRequiredHeader>published</tlsRequiredHeader>", PolicyOption.TLS_REQUIRED_HEADER, TlsRequiredHeader.PUBLISHED, "published"),
            Arguments.of("<tlsRequiredHeader> ALL </tlsRequiredHeader>", PolicyOption.TLS_REQUIRED_HEADER, TlsRequiredHeader.ALL, "all"),
            Arguments.of("<tlsRequiredHeader>Ignore</tlsRequiredHeader>", PolicyOption.TLS_REQUIRED_HEADER, TlsRequiredHeader.IGNORE, "ignore"),
            Arguments.of("<tlsRememberBroken>1 hour</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofHours(1)), "1 hour"),
            Arguments.of("<tlsRememberBroken>30 minutes</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofMinutes(30)), "30 minutes"),
            Arguments.of("<tlsRememberBroken> 90s </tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofSeconds(90)), "90 s"),
            Arguments.of("<tlsRememberBroken>2 Days</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofDays(2)), "2 days"),
            Arguments.of("<tlsRememberBroken>1 s</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofSeconds(1)), "1 s"),
            Arguments.of("<tlsRememberBroken>31 d</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN,
                RememberBroken.of(Duration.ofDays(31)), "31 d"),
            Arguments.of("<tlsRememberBroken>OFF</tlsRememberBroken>", PolicyOption.TLS_REMEMBER_BROKEN, RememberBroken.OFF, "off"),
            Arguments.of("<tlsRpt>on</tlsRpt>", PolicyOption.TLS_RPT, Switch.ON, "on"),
            Arguments.of("<tlsRpt>Off</tlsRpt>", PolicyOption.TLS_RPT, Switch.OFF, "off"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goodSenderAndReportingValues")
    void parsesSenderAndReportingOptionsInEveryScope(String element, PolicyOption<?> option, Object expected,
                                                     String printed) throws Exception {
        TlsPolicy parsed = PolicyFixtures.parse(policy(element + "<domain name='a.example'>" + element + "</domain>"
            + "<bindingGroup name='g'>" + element + "<domain name='a.example'>" + element + "</domain>"
            + "<binding name='b'>" + element + "<domain name='a.example'>" + element + "</domain></binding>"
            + "</bindingGroup>"));

        BindingGroup group = parsed.group("g").orElseThrow();
        Binding binding = parsed.binding("b").orElseThrow();
        for (ScopeOptions scope : List.of(parsed.globalOptions(), parsed.globalDomains().get("a.example"), group.options(),
            group.domainOptions("a.example"), binding.options(), binding.domainOptions("a.example"))) {
            assertThat(scope.get(option).map(Object.class::cast)).contains(expected);
            assertThat(scope.get(option).orElseThrow()).hasToString(printed);
        }
    }
}
