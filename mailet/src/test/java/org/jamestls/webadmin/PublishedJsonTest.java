package org.jamestls.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jamestls.dane.DaneLookup;
import org.jamestls.dane.ScriptedValidatingResolver;
import org.jamestls.delivery.plan.PublishedPolicies;
import org.jamestls.mtasts.MtaStsFetchException;
import org.jamestls.mtasts.MtaStsPolicyCache;
import org.jamestls.mtasts.MtaStsPolicySource;
import org.jamestls.policy.ResolvedTlsPolicy;
import org.jamestls.policy.TlsPolicyParser;
import org.jamestls.testing.FakeDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * The effective route's live lookups are bounded in time and in MX hosts: an MTA-STS server that never answers and a
 * DNSSEC-signed MX set of 50 hosts whose TLSA lookups all time out are both answered within the route's budget (here
 * 1 s), saying what did not finish, instead of holding the WebAdmin thread for as long as the lookups take.
 */
class PublishedJsonTest {
    private static final Duration BUDGET = Duration.ofSeconds(1);
    /** What "answered at once" means here: the budget and room for a loaded machine, far below what the lookups take. */
    private static final long ANSWERED_WITHIN_SECONDS = 8;

    @TempDir
    Path cacheDir;

    private final CountDownLatch mtaStsServerAnswers = new CountDownLatch(1);

    @Test
    void anMtaStsServerThatNeverAnswersDoesNotHoldTheRoute() throws Exception {
        FakeDns dns = new FakeDns().txt("_mta-sts.slow.test", "v=STSv1; id=1");
        MtaStsPolicySource mtaSts = new MtaStsPolicySource(dns, domain -> {
            try {
                // the test releases it at the end; bounded so that nothing outlives the test run
                mtaStsServerAnswers.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new MtaStsFetchException("no answer");
        }, new MtaStsPolicyCache(cacheDir), Clock.systemUTC());
        PublishedPolicies published = new PublishedPolicies(Optional.of(mtaSts), Optional.empty(), 25);
        try {
            Map<String, Object> json = answer(published, "slow.test", "<tlsPolicy/>");

            assertThat(section(json, "mtaSts")).containsEntry("enabled", true)
                .hasEntrySatisfying("lookup", reason -> assertThat((String) reason).startsWith("did not finish within"));
        } finally {
            mtaStsServerAnswers.countDown();
        }
    }

    @Test
    void aHugeMxSetIsLookedUpForTenHostsWithinTheBudget() throws Exception {
        List<String> hosts = IntStream.range(0, 50).mapToObj(i -> "10 mx" + i + ".big.test.").collect(Collectors.toList());
        // the hosts' A, AAAA and TLSA questions are not scripted: each times out
        ScriptedValidatingResolver dnssec = new ScriptedValidatingResolver().secure("big.test", Type.MX,
            hosts.toArray(String[]::new));
        PublishedPolicies published = new PublishedPolicies(Optional.empty(),
            Optional.of(new DaneLookup(ScriptedValidatingResolver.resolverOver(dnssec))), 25);

        Map<String, Object> dane = section(answer(published, "big.test", "<tlsPolicy><dane>on</dane></tlsPolicy>"), "dane");

        assertThat(dane).containsEntry("mxStatus", "SECURE").containsEntry("hostsOmitted", 40);
        assertThat((List<?>) dane.get("hosts")).hasSize(LiveLookups.MAX_MX_HOSTS);
    }

    /** The published object as the route builds it, waiting for it no longer than {@link #ANSWERED_WITHIN_SECONDS}. */
    private static Map<String, Object> answer(PublishedPolicies published, String domain, String policyXml) throws Exception {
        ResolvedTlsPolicy policy = TlsPolicyParser.parse(new ByteArrayInputStream(policyXml.getBytes(StandardCharsets.UTF_8)),
            "t.xml").resolve(domain, Optional.empty());
        LiveLookups lookups = new LiveLookups(BUDGET);
        return CompletableFuture.supplyAsync(() -> PublishedJson.of(published, domain, policy, lookups))
            .get(ANSWERED_WITHIN_SECONDS, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> json, String name) {
        return (Map<String, Object>) json.get(name);
    }
}
