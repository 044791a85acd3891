package org.jamestls.policy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/**
 * Policy files shared by the tests. Kept as Java constants (not src/test/resources) because this
 * package owns only its source folders.
 */
final class PolicyFixtures {
    static final String SOURCE = "tls-policy.xml";

    /** The example from the feature description, verbatim. */
    static final String EXAMPLE = String.join("\n",
        "<tlsPolicy>",
        "  <tls>ifavailable</tls>                                      <!-- global -->",
        "  <domain name=\"bank.example\"><tls>required</tls></domain>    <!-- domain, global level -->",
        "  <bindingGroup name=\"transactional\">",
        "    <tls>ifavailable</tls>",
        "    <domain name=\"partner.example\"><tls>required</tls></domain>",
        "    <binding name=\"tx1\" bindAddress=\"192.0.2.10\" heloName=\"tx1.example.org\">",
        "      <tls>required</tls>",
        "      <domain name=\"legacy.example\"><tls>no</tls></domain>",
        "    </binding>",
        "  </bindingGroup>",
        "  <binding name=\"bulk\" bindAddress=\"192.0.2.20\" heloName=\"bulk.example.org\"/>",
        "</tlsPolicy>");

    /**
     * The example plus what it takes to exercise every precedence step for both options: a second
     * group member (tx2) without tls, tlsIfAvailableFallback set in every scope, and stanzas that
     * set only tlsIfAvailableFallback so tls must fall through them.
     */
    static final String RESOLUTION = String.join("\n",
        "<tlsPolicy>",
        "  <tls>ifavailable</tls>",
        "  <tlsIfAvailableFallback>true</tlsIfAvailableFallback>",
        "  <domain name=\"bank.example\"><tls>required</tls></domain>",
        "  <domain name=\"fallback-global.example\"><tlsIfAvailableFallback>false</tlsIfAvailableFallback></domain>",
        "  <bindingGroup name=\"transactional\">",
        "    <tls>ifavailable</tls>",
        "    <tlsIfAvailableFallback>false</tlsIfAvailableFallback>",
        "    <domain name=\"partner.example\">",
        "      <tls>required</tls>",
        "      <tlsIfAvailableFallback>true</tlsIfAvailableFallback>",
        "    </domain>",
        "    <domain name=\"fallback-group.example\"><tlsIfAvailableFallback>true</tlsIfAvailableFallback></domain>",
        "    <binding name=\"tx1\" bindAddress=\"192.0.2.10\" heloName=\"tx1.example.org\">",
        "      <tls>required</tls>",
        "      <domain name=\"legacy.example\"><tls>no</tls></domain>",
        "      <domain name=\"fallback-binding.example\"><tlsIfAvailableFallback>true</tlsIfAvailableFallback></domain>",
        "    </binding>",
        "    <binding name=\"tx2\" bindAddress=\"2001:db8::2\">",
        "      <tlsIfAvailableFallback>true</tlsIfAvailableFallback>",
        "    </binding>",
        "  </bindingGroup>",
        "  <binding name=\"bulk\" bindAddress=\"192.0.2.20\" heloName=\"bulk.example.org\"/>",
        "</tlsPolicy>");

    /**
     * The sender-side and reporting options (tlsRequiredHeader, tlsRememberBroken, tlsRpt), each set in some scopes
     * and left to fall through in others, including scopes that turn an outer setting off again.
     */
    static final String SENDER_OPTIONS = String.join("\n",
        "<tlsPolicy>",
        "  <tlsRememberBroken>1 hour</tlsRememberBroken>",
        "  <tlsRpt>on</tlsRpt>",
        "  <domain name=\"bank.example\">",
        "    <tlsRequiredHeader>ignore</tlsRequiredHeader>",
        "    <tlsRememberBroken>off</tlsRememberBroken>",
        "  </domain>",
        "  <domain name=\"news.example\"><tlsRequiredHeader>all</tlsRequiredHeader></domain>",
        "  <bindingGroup name=\"transactional\">",
        "    <tlsRequiredHeader>ignore</tlsRequiredHeader>",
        "    <domain name=\"partner.example\">",
        "      <tlsRpt>off</tlsRpt>",
        "      <tlsRememberBroken>10 minutes</tlsRememberBroken>",
        "    </domain>",
        "    <binding name=\"tx1\">",
        "      <tlsRememberBroken>30 minutes</tlsRememberBroken>",
        "      <domain name=\"legacy.example\">",
        "        <tlsRequiredHeader>all</tlsRequiredHeader>",
        "        <tlsRpt>off</tlsRpt>",
        "      </domain>",
        "    </binding>",
        "    <binding name=\"tx2\"/>",
        "  </bindingGroup>",
        "  <binding name=\"bulk\"><tlsRpt>off</tlsRpt></binding>",
        "</tlsPolicy>");

    private PolicyFixtures() {
    }

    static TlsPolicy parse(String xml) throws PolicyConfigurationException {
        return TlsPolicyParser.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), SOURCE);
    }
}
