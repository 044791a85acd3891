package org.jamestls.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsPolicyResolutionTest {
    private static TlsPolicy policy;
    private static TlsPolicy senderOptions;

    @BeforeAll
    static void parseFixture() throws PolicyConfigurationException {
        policy = PolicyFixtures.parse(PolicyFixtures.RESOLUTION);
        senderOptions = PolicyFixtures.parse(PolicyFixtures.SENDER_OPTIONS);
    }

    private static ResolvedTlsPolicy resolve(String policyName, String domain, String binding) {
        TlsPolicy chosen = policyName.equals("EMPTY") ? TlsPolicy.empty()
            : policyName.equals("SENDER") ? senderOptions : policy;
        Optional<Binding> selected = Optional.ofNullable(binding)
            .map(name -> chosen.binding(name).orElseThrow(() -> new AssertionError("no binding " + name)));
        return chosen.resolve(domain, selected);
    }

    @ParameterizedTest(name = "[{index}] {1} via {2} -> tls {3} from {5}")
    @CsvSource(nullValues = "-", value = {
        // policy,  domain,                      binding, tls,         scope,          decided by
        "FIXTURE, legacy.example,                tx1,     no,          BINDING_DOMAIN, binding tx1 / domain legacy.example",
        "FIXTURE, partner.example,               tx1,     required,    GROUP_DOMAIN,   binding group transactional / domain partner.example",
        "FIXTURE, partner.example,               tx2,     required,    GROUP_DOMAIN,   binding group transactional / domain partner.example",
        "FIXTURE, other.example,                 tx1,     required,    BINDING,        binding tx1",
        // binding beats the more general global domain stanza
        "FIXTURE, bank.example,                  tx1,     required,    BINDING,        binding tx1",
        "FIXTURE, other.example,                 tx2,     ifavailable, BINDING_GROUP,  binding group transactional",
        // the group's own tls beats the global domain stanza
        "FIXTURE, bank.example,                  tx2,     ifavailable, BINDING_GROUP,  binding group transactional",
        "FIXTURE, bank.example,                  bulk,    required,    GLOBAL_DOMAIN,  global domain bank.example",
        "FIXTURE, other.example,                 bulk,    ifavailable, GLOBAL,         global",
        // a group's domain stanza does not apply to a binding outside the group
        "FIXTURE, partner.example,               bulk,    ifavailable, GLOBAL,         global",
        // a binding's domain stanza does not apply to another binding
        "FIXTURE, legacy.example,                tx2,     ifavailable, BINDING_GROUP,  binding group transactional",
        // no binding: only the global scopes apply
        "FIXTURE, bank.example,                  -,       required,    GLOBAL_DOMAIN,  global domain bank.example",
        "FIXTURE, legacy.example,                -,       ifavailable, GLOBAL,         global",
        // domain names are case-insensitive and a trailing dot is ignored
        "FIXTURE, LEGACY.Example.,               tx1,     no,          BINDING_DOMAIN, binding tx1 / domain legacy.example",
        "FIXTURE, Bank.EXAMPLE,                  -,       required,    GLOBAL_DOMAIN,  global domain bank.example",
        // stanzas that set only tlsIfAvailableFallback leave tls to the next scope
        "FIXTURE, fallback-binding.example,      tx1,     required,    BINDING,        binding tx1",
        "FIXTURE, fallback-group.example,        tx1,     required,    BINDING,        binding tx1",
        "FIXTURE, fallback-group.example,        tx2,     ifavailable, BINDING_GROUP,  binding group transactional",
        "FIXTURE, fallback-global.example,       bulk,    ifavailable, GLOBAL,         global",
        "EMPTY,   bank.example,                  -,       no,          DEFAULT,        default",
    })
    void tlsComesFromTheMostSpecificScopeThatSetsIt(String policyName, String domain, String binding,
                                                   String tls, PolicyScope scope, String decidedBy) {
        ResolvedTlsPolicy resolved = resolve(policyName, domain, binding);

        assertThat(resolved.tls().value()).isEqualTo(TlsLevel.parse(tls).orElseThrow());
        assertThat(resolved.tls().scope()).isEqualTo(scope);
        assertThat(resolved.tls().decidedBy().description()).isEqualTo(decidedBy);
        assertThat(resolved.tls()).hasToString(tls + " (" + decidedBy + ")");
    }

    @ParameterizedTest(name = "[{index}] {1} via {2} -> tlsIfAvailableFallback {3} from {5}")
    @CsvSource(nullValues = "-", value = {
        // policy,  domain,                      binding, fallback, scope,          decided by
        "FIXTURE, fallback-binding.example,      tx1,     true,     BINDING_DOMAIN, binding tx1 / domain fallback-binding.example",
        "FIXTURE, partner.example,               tx1,     true,     GROUP_DOMAIN,   binding group transactional / domain partner.example",
        "FIXTURE, fallback-group.example,        tx1,     true,     GROUP_DOMAIN,   binding group transactional / domain fallback-group.example",
        "FIXTURE, other.example,                 tx2,     true,     BINDING,        binding tx2",
        // a stanza that sets only tls (legacy.example) leaves tlsIfAvailableFallback to the next scope
        "FIXTURE, legacy.example,                tx1,     false,    BINDING_GROUP,  binding group transactional",
        "FIXTURE, other.example,                 tx1,     false,    BINDING_GROUP,  binding group transactional",
        "FIXTURE, fallback-global.example,       bulk,    false,    GLOBAL_DOMAIN,  global domain fallback-global.example",
        "FIXTURE, Fallback-Global.Example.,      -,       false,    GLOBAL_DOMAIN,  global domain fallback-global.example",
        "FIXTURE, bank.example,                  bulk,    true,     GLOBAL,         global",
        "FIXTURE, other.example,                 -,       true,     GLOBAL,         global",
        // unset everywhere: the mailet's default applies
        "EMPTY,   other.example,                 -,       -,        -,              -",
    })
    void tlsIfAvailableFallbackComesFromTheMostSpecificScopeThatSetsIt(String policyName, String domain,
                                                                      String binding, Boolean fallback,
                                                                      PolicyScope scope, String decidedBy) {
        Optional<Decided<Boolean>> resolved = resolve(policyName, domain, binding).tlsIfAvailableFallback();

        assertThat(resolved.map(Decided::value)).isEqualTo(Optional.ofNullable(fallback));
        assertThat(resolved.map(Decided::scope)).isEqualTo(Optional.ofNullable(scope));
        assertThat(resolved.map(decided -> decided.decidedBy().description())).isEqualTo(Optional.ofNullable(decidedBy));
    }

    @ParameterizedTest(name = "[{index}] {1} for {2} via {3} -> {4} from {6}")
    @CsvSource(nullValues = "-", value = {
        // policy, option,             domain,          binding, value,      scope,          decided by
        "SENDER, tlsRequiredHeader, legacy.example,  tx1,  all,        BINDING_DOMAIN, binding tx1 / domain legacy.example",
        // the group domain stanza sets only tlsRpt and tlsRememberBroken: the group decides
        "SENDER, tlsRequiredHeader, partner.example, tx1,  ignore,     BINDING_GROUP,  binding group transactional",
        // the group beats the global domain stanza
        "SENDER, tlsRequiredHeader, news.example,    tx2,  ignore,     BINDING_GROUP,  binding group transactional",
        "SENDER, tlsRequiredHeader, news.example,    bulk, all,        GLOBAL_DOMAIN,  global domain news.example",
        "SENDER, tlsRequiredHeader, other.example,   bulk, published,  DEFAULT,        default",
        "SENDER, tlsRequiredHeader, other.example,   -,    published,  DEFAULT,        default",
        "SENDER, tlsRememberBroken, partner.example, tx1,  10 minutes, GROUP_DOMAIN,   binding group transactional / domain partner.example",
        "SENDER, tlsRememberBroken, legacy.example,  tx1,  30 minutes, BINDING,        binding tx1",
        "SENDER, tlsRememberBroken, other.example,   tx2,  1 hour,     GLOBAL,         global",
        // a more specific scope turns it off again
        "SENDER, tlsRememberBroken, bank.example,    tx2,  off,        GLOBAL_DOMAIN,  global domain bank.example",
        "SENDER, tlsRememberBroken, bank.example,    -,    off,        GLOBAL_DOMAIN,  global domain bank.example",
        // the binding beats the global domain stanza that turned it off
        "SENDER, tlsRememberBroken, bank.example,    tx1,  30 minutes, BINDING,        binding tx1",
        "EMPTY,  tlsRememberBroken, bank.example,    -,    off,        DEFAULT,        default",
        "SENDER, tlsRpt,            legacy.example,  tx1,  off,        BINDING_DOMAIN, binding tx1 / domain legacy.example",
        "SENDER, tlsRpt,            partner.example, tx2,  off,        GROUP_DOMAIN,   binding group transactional / domain partner.example",
        "SENDER, tlsRpt,            other.example,   tx1,  on,         GLOBAL,         global",
        "SENDER, tlsRpt,            other.example,   bulk, off,        BINDING,        binding bulk",
        "SENDER, tlsRpt,            other.example,   -,    on,         GLOBAL,         global",
        "EMPTY,  tlsRpt,            other.example,   -,    off,        DEFAULT,        default",
    })
    void senderAndReportingOptionsComeFromTheMostSpecificScopeThatSetsThem(String policyName, String optionName,
        String domain, String binding, String value, PolicyScope scope, String decidedBy) {
        PolicyOption<?> option = PolicyOption.byElementName(optionName).orElseThrow();

        Decided<?> decided = resolve(policyName, domain, binding).get(option).orElseThrow();

        assertThat(decided.value()).hasToString(value);
        assertThat(decided.scope()).isEqualTo(scope);
        assertThat(decided.decidedBy().description()).isEqualTo(decidedBy);
    }

    @Test
    void typedAccessorsOfTheSenderAndReportingOptions() {
        ResolvedTlsPolicy resolved = resolve("SENDER", "partner.example", "tx1");

        assertThat(resolved.tlsRequiredHeader().value()).isEqualTo(TlsRequiredHeader.IGNORE);
        assertThat(resolved.tlsRememberBroken().value().duration()).contains(java.time.Duration.ofMinutes(10));
        assertThat(resolved.tlsRpt().value().isOn()).isFalse();
        assertThat(TlsPolicy.empty().resolve("a.example", Optional.empty()).tlsRememberBroken().value().duration())
            .isEmpty();
    }

    @Test
    void resolutionReportsWhatItWasResolvedForAndLogsEveryOption() {
        ResolvedTlsPolicy resolved = resolve("FIXTURE", "Legacy.Example.", "tx1");

        assertThat(resolved.domain()).isEqualTo("legacy.example");
        assertThat(resolved.bindingName()).contains("tx1");
        assertThat(resolved).hasToString("domain=legacy.example binding=tx1: "
            + "tls=no (binding tx1 / domain legacy.example), "
            + "tlsIfAvailableFallback=false (binding group transactional), tlsVerify=no (default), tlsCa=unset, "
            + "tlsCertificate=unset, tlsKey=unset, tlsProtocols=unset, tlsCiphers=unset, mtaSts=on (default), dane=off (default), "
            + "tlsRequiredHeader=published (default), tlsRememberBroken=off (default), tlsRpt=off (default)");
        assertThat(TlsPolicy.empty().resolve("x.example", Optional.empty()))
            .hasToString("domain=x.example binding=(none): tls=no (default), tlsIfAvailableFallback=unset, "
                + "tlsVerify=no (default), tlsCa=unset, tlsCertificate=unset, tlsKey=unset, tlsProtocols=unset, "
                + "tlsCiphers=unset, mtaSts=on (default), dane=off (default), tlsRequiredHeader=published (default), "
                + "tlsRememberBroken=off (default), tlsRpt=off (default)");
    }

    @Test
    void precedenceOrderIsDeclarationOrder() {
        assertThat(PolicyScope.values()).containsExactly(PolicyScope.BINDING_DOMAIN, PolicyScope.GROUP_DOMAIN,
            PolicyScope.BINDING, PolicyScope.BINDING_GROUP, PolicyScope.GLOBAL_DOMAIN, PolicyScope.GLOBAL,
            PolicyScope.DEFAULT);
    }

    @Test
    void bindingFromAnotherPolicyWhoseGroupIsMissingIsRejected() {
        Binding foreign = Binding.builder("x").groupName("elsewhere").build();

        assertThatThrownBy(() -> policy.resolve("a.example", Optional.of(foreign)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("elsewhere");
    }

    @ParameterizedTest
    @CsvSource({"no, NO", "IfAvailable, IFAVAILABLE", "' REQUIRED ', REQUIRED"})
    void tlsLevelParsesCaseInsensitivelyAndTrimmed(String raw, TlsLevel expected) {
        assertThat(TlsLevel.parse(raw)).contains(expected);
        assertThat(expected.configName()).isEqualTo(raw.trim().toLowerCase(java.util.Locale.ROOT));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"maybe", "''", "-", "yes"})
    void tlsLevelRejectsAnythingElse(String raw) {
        assertThat(TlsLevel.parse(raw)).isEmpty();
    }
}
