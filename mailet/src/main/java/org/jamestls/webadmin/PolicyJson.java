package org.jamestls.webadmin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jamestls.policy.Binding;
import org.jamestls.policy.BindingGroup;
import org.jamestls.policy.Decided;
import org.jamestls.policy.EffectiveOptions;
import org.jamestls.policy.PolicyOption;
import org.jamestls.policy.ScopeOptions;
import org.jamestls.policy.TlsPolicy;

/** The loaded policy and effective-policy answers as plain maps, ready for JSON. */
final class PolicyJson {
    private PolicyJson() {
    }

    static Map<String, Object> policy(LoadedPolicies.Loaded loaded) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("source", loaded.source());
        TlsPolicy policy = loaded.policy().policy();
        json.put("global", options(policy.globalOptions()));
        json.put("domains", domains(policy.globalDomains()));
        json.put("bindingGroups", policy.groups().stream().map(PolicyJson::group).collect(Collectors.toList()));
        json.put("bindings", policy.standaloneBindings().stream().map(PolicyJson::binding).collect(Collectors.toList()));
        return json;
    }

    /** Like Momentum's {@code config eval}: every option's effective value and the scope that decided it. */
    static Map<String, Object> effective(EffectiveOptions effective, Optional<Binding> binding) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (PolicyOption<?> option : PolicyOption.ALL) {
            options.put(option.elementName(), effective.policy().get(option)
                .map(decided -> decided(option, decided))
                .orElseGet(() -> unset(option, effective)));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("domain", effective.policy().domain());
        json.put("binding", binding.map(Binding::name).orElse(null));
        json.put("bindingGroup", binding.flatMap(Binding::groupName).orElse(null));
        json.put("options", options);
        return json;
    }

    private static Map<String, Object> decided(PolicyOption<?> option, Decided<?> decided) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("value", value(option, decided.value()));
        json.put("decidedBy", decided.decidedBy().description());
        json.put("scope", decided.scope().name());
        return json;
    }

    private static Map<String, Object> unset(PolicyOption<?> option, EffectiveOptions effective) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (option == PolicyOption.TLS_IF_AVAILABLE_FALLBACK) {
            json.put("value", effective.tlsIfAvailableFallback());
            json.put("decidedBy", EffectiveOptions.FALLBACK_DEFAULT_SOURCE);
            json.put("scope", "MAILET");
        } else {
            json.put("value", null);
            json.put("decidedBy", "unset");
            json.put("scope", "DEFAULT");
        }
        return json;
    }

    private static Map<String, Object> group(BindingGroup group) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", group.name());
        json.put("options", options(group.options()));
        json.put("domains", domains(group.domains()));
        json.put("bindings", group.bindings().stream().map(PolicyJson::binding).collect(Collectors.toList()));
        return json;
    }

    private static Map<String, Object> binding(Binding binding) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", binding.name());
        json.put("bindAddress", binding.bindAddress().map(address -> address.getHostAddress()).orElse(null));
        json.put("heloName", binding.heloName().orElse(null));
        json.put("options", options(binding.options()));
        json.put("domains", domains(binding.domains()));
        return json;
    }

    private static Map<String, Object> domains(Map<String, ScopeOptions> domains) {
        Map<String, Object> json = new LinkedHashMap<>();
        domains.forEach((domain, options) -> json.put(domain, options(options)));
        return json;
    }

    private static Map<String, Object> options(ScopeOptions options) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (PolicyOption<?> option : PolicyOption.ALL) {
            options.get(option).ifPresent(value -> json.put(option.elementName(), value(option, value)));
        }
        return json;
    }

    // enums print their configuration names; lists stay lists
    private static Object value(PolicyOption<?> option, Object value) {
        if (value instanceof List || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }
}
