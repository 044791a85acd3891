package org.jamestls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamestls.mtasts.MtaStsLookup.State;
import org.jamestls.testing.FakeDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MtaStsPolicySourceTest {
    private static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: *.dest.test\nmax_age: 86400\n";
    private static final String ENFORCE_V2 = "version: STSv1\nmode: enforce\nmx: mx2.dest.test\nmax_age: 86400\n";

    @TempDir
    Path dir;

    private final FakeDns dns = new FakeDns();
    private final FakeFetcher fetcher = new FakeFetcher();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

    private MtaStsPolicySource source() {
        return source(Duration.ZERO);
    }

    private MtaStsPolicySource source(Duration failureMemory) {
        return new MtaStsPolicySource(dns, fetcher, new MtaStsPolicyCache(dir, clock), clock, failureMemory);
    }

    /** Policy bodies or failures by domain; counts fetches. */
    private static final class FakeFetcher implements PolicyFetcher {
        final Map<String, String> bodies = new ConcurrentHashMap<>();
        final Map<String, String> failures = new ConcurrentHashMap<>();
        /** Failures thrown the way MtaStsFetcher reports a rejected certificate: the JSSE's exception as cause. */
        final Map<String, String> certificateFailures = new ConcurrentHashMap<>();
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public String fetch(String domain) throws MtaStsFetchException {
            fetches.incrementAndGet();
            String failure = failures.get(domain);
            if (failure != null) {
                throw new MtaStsFetchException(failure);
            }
            String rejected = certificateFailures.get(domain);
            if (rejected != null) {
                javax.net.ssl.SSLHandshakeException handshake = new javax.net.ssl.SSLHandshakeException(rejected);
                handshake.initCause(new java.security.cert.CertificateException(rejected));
                throw new MtaStsFetchException("mta-sts." + domain + ": TLS failed: " + rejected, handshake);
            }
            String body = bodies.get(domain);
            if (body == null) {
                throw new MtaStsFetchException("mta-sts." + domain + ": HTTP 404");
            }
            return body;
        }
    }

    @Test
    void noTxtRecordAndNoCacheIsNoPolicy() {
        MtaStsLookup lookup = source().lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.NONE);
        assertThat(lookup.policy()).isEmpty();
        assertThat(lookup.describe()).isEqualTo("mta-sts none (no v=STSv1 TXT record)");
        assertThat(fetcher.fetches).hasValue(0);
    }

    @Test
    void aMissingTxtRecordIsRememberedForAMinuteThenAskedAgain() {
        MtaStsPolicySource source = source();
        assertThat(source.lookup("quiet.test").state()).isEqualTo(MtaStsLookup.State.NONE);
        assertThat(source.lookup("quiet.test").state()).isEqualTo(MtaStsLookup.State.NONE);
        assertThat(dns.txtLookups).hasValue(1);

        dns.txt("_mta-sts.quiet.test", "v=STSv1; id=7");
        fetcher.bodies.put("quiet.test", ENFORCE);
        clock.advance(MtaStsPolicySource.NO_ANNOUNCEMENT_MEMORY.plusSeconds(1));

        assertThat(source.lookup("quiet.test").isEnforce()).isTrue();
        assertThat(dns.txtLookups).hasValue(2);
    }

    @Test
    void anAnnouncedPolicyIsFetchedThenServedFromTheCache() {
        dns.txt("_mta-sts.dest.test", "\"v=STSv1; id=20261126\"");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();

        MtaStsLookup first = source.lookup("Dest.Test");
        clock.advance(Duration.ofHours(1));
        MtaStsLookup second = source.lookup("dest.test");

        assertThat(first.state()).isEqualTo(State.POLICY);
        assertThat(first.isEnforce()).isTrue();
        assertThat(first.fromCache()).isFalse();
        assertThat(first.policyId()).contains("20261126");
        assertThat(first.matches("mx1.dest.test")).isTrue();
        assertThat(first.matches("mx.elsewhere.test")).isFalse();
        assertThat(first.describe()).isEqualTo("mta-sts enforce id=20261126 mx=[*.dest.test] max_age=86400 (fetched)");
        assertThat(second.fromCache()).isTrue();
        assertThat(second.describe()).isEqualTo("mta-sts enforce id=20261126 mx=[*.dest.test] max_age=86400 (cached)");
        assertThat(fetcher.fetches).hasValue(1);
    }

    @Test
    void aNewIdTriggersARefetch() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        dns.txt("_mta-sts.dest.test", "v=STSv1; id=2");
        fetcher.bodies.put("dest.test", ENFORCE_V2);
        MtaStsLookup lookup = source.lookup("dest.test");

        assertThat(fetcher.fetches).hasValue(2);
        assertThat(lookup.fromCache()).isFalse();
        assertThat(lookup.policyId()).contains("2");
        assertThat(lookup.policy().get().mxPatterns()).containsExactly("mx2.dest.test");
    }

    @Test
    void aFailedFetchKeepsTheCachedPolicy() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        dns.txt("_mta-sts.dest.test", "v=STSv1; id=2");
        fetcher.failures.put("dest.test", "mta-sts.dest.test: HTTP 503");
        MtaStsLookup lookup = source.lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.POLICY);
        assertThat(lookup.isEnforce()).isTrue();
        assertThat(lookup.fromCache()).isTrue();
        assertThat(lookup.policyId()).contains("1");
        assertThat(lookup.describe()).isEqualTo("mta-sts enforce id=1 mx=[*.dest.test] max_age=86400 "
            + "(cached, new id 2: fetch failed: mta-sts.dest.test: HTTP 503)");
    }

    @Test
    void anInvalidNewPolicyKeepsTheCachedOne() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        dns.txt("_mta-sts.dest.test", "v=STSv1; id=2");
        fetcher.bodies.put("dest.test", "<html>oops</html>");
        MtaStsLookup lookup = source.lookup("dest.test");

        assertThat(lookup.policyId()).contains("1");
        assertThat(lookup.note().get()).contains("invalid policy: line 1");
    }

    @Test
    void aFailedFetchWithoutCacheIsFetchFailed() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.failures.put("dest.test", "mta-sts.dest.test: TLS failed: no trusted certificate");

        MtaStsLookup lookup = source().lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.FETCH_FAILED);
        assertThat(lookup.isEnforce()).isFalse();
        assertThat(lookup.policy()).isEmpty();
        assertThat(lookup.describe())
            .isEqualTo("mta-sts fetch failed: mta-sts.dest.test: TLS failed: no trusted certificate");
    }

    @Test
    void aFailedFetchSaysWhatKindOfFailureItWasForTlsReports() {
        dns.txt("_mta-sts.down.test", "v=STSv1; id=1").txt("_mta-sts.html.test", "v=STSv1; id=1")
            .txt("_mta-sts.pki.test", "v=STSv1; id=1");
        fetcher.failures.put("down.test", "mta-sts.down.test: HTTP 503");
        fetcher.bodies.put("html.test", "<html>oops</html>");
        fetcher.certificateFailures.put("pki.test", "No subject alternative DNS name matching mta-sts.pki.test found.");
        MtaStsPolicySource source = source(Duration.ofMinutes(5));

        assertThat(source.lookup("down.test").fetchProblem()).contains(MtaStsLookup.FetchProblem.FETCH_ERROR);
        assertThat(source.lookup("html.test").fetchProblem()).contains(MtaStsLookup.FetchProblem.POLICY_INVALID);
        assertThat(source.lookup("pki.test").fetchProblem()).contains(MtaStsLookup.FetchProblem.WEBPKI_INVALID);
        // a remembered failure keeps its kind
        assertThat(source.lookup("pki.test").fetchProblem()).contains(MtaStsLookup.FetchProblem.WEBPKI_INVALID);
        assertThat(fetcher.fetches).hasValue(3);
        dns.txt("_mta-sts.ok.test", "v=STSv1; id=1");
        fetcher.bodies.put("ok.test", ENFORCE);
        assertThat(source.lookup("ok.test").fetchProblem()).isEmpty();
    }

    @Test
    void aMissingTxtRecordDoesNotDropTheCachedPolicy() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        dns.noTxt("_mta-sts.dest.test");
        MtaStsLookup gone = source.lookup("dest.test");
        dns.txtFails = true;
        MtaStsLookup failing = source.lookup("dest.test");

        assertThat(gone.isEnforce()).isTrue();
        assertThat(gone.note()).contains("TXT: no v=STSv1 TXT record");
        assertThat(failing.isEnforce()).isTrue();
        assertThat(failing.note().get()).startsWith("TXT: TXT lookup failed");
        assertThat(fetcher.fetches).hasValue(1);
    }

    @Test
    void anExpiredPolicyIsNotUsed() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        dns.noTxt("_mta-sts.dest.test");
        clock.advance(Duration.ofDays(1));

        assertThat(source.lookup("dest.test").state()).isEqualTo(State.NONE);
    }

    @Test
    void anExpiredPolicyWithAFailingFetchIsFetchFailed() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        fetcher.failures.put("dest.test", "down");
        clock.advance(Duration.ofDays(1).plusSeconds(1));

        assertThat(source.lookup("dest.test").state()).isEqualTo(State.FETCH_FAILED);
    }

    @Test
    void nearExpiryTheSamePolicyIsRefreshedAndTheCachedOneKeptIfThatFails() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE); // max_age 1 day: refresh in the last 3 hours
        MtaStsPolicySource source = source();
        source.lookup("dest.test");

        clock.advance(Duration.ofHours(20));
        source.lookup("dest.test");
        assertThat(fetcher.fetches).hasValue(1);

        clock.advance(Duration.ofHours(2));
        fetcher.failures.put("dest.test", "down");
        MtaStsLookup failedRefresh = source.lookup("dest.test");
        assertThat(fetcher.fetches).hasValue(2);
        assertThat(failedRefresh.isEnforce()).isTrue();
        assertThat(failedRefresh.note()).contains("refresh: fetch failed: down");

        fetcher.failures.clear();
        MtaStsLookup refreshed = source.lookup("dest.test");
        assertThat(refreshed.fromCache()).isFalse();
        assertThat(refreshed.cachedPolicy().get().fetchedAt()).isEqualTo(clock.instant());

        clock.advance(Duration.ofHours(23));
        assertThat(source.lookup("dest.test").isEnforce()).isTrue(); // would have expired without the refresh
    }

    @Test
    void aRestartKeepsThePolicyEvenIfTheHostIsDown() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        source().lookup("dest.test");

        fetcher.failures.put("dest.test", "down");
        MtaStsLookup afterRestart = source().lookup("dest.test");

        assertThat(afterRestart.isEnforce()).isTrue();
        assertThat(afterRestart.fromCache()).isTrue();
        assertThat(fetcher.fetches).hasValue(1);
    }

    @Test
    void modeNoneIsNoPolicyButIsCached() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=off");
        fetcher.bodies.put("dest.test", "version: STSv1\nmode: none\nmax_age: 86400\n");
        MtaStsPolicySource source = source();

        MtaStsLookup lookup = source.lookup("dest.test");
        source.lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.NONE);
        assertThat(lookup.policy().get().mode()).isEqualTo(MtaStsMode.NONE);
        assertThat(lookup.matches("anything.test")).isFalse();
        assertThat(lookup.describe()).isEqualTo("mta-sts mode none id=off mx=[] max_age=86400 (fetched)");
        assertThat(fetcher.fetches).hasValue(1);
    }

    @Test
    void testingModeIsAPolicyButNotEnforced() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=t");
        fetcher.bodies.put("dest.test", ENFORCE.replace("enforce", "testing"));

        MtaStsLookup lookup = source().lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.POLICY);
        assertThat(lookup.isTesting()).isTrue();
        assertThat(lookup.isEnforce()).isFalse();
    }

    @Test
    void twoStsTxtRecordsMeanNoPolicyAnnounced() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1", "v=STSv1; id=2");
        fetcher.bodies.put("dest.test", ENFORCE);

        MtaStsLookup lookup = source().lookup("dest.test");

        assertThat(lookup.state()).isEqualTo(State.NONE);
        assertThat(lookup.describe()).isEqualTo("mta-sts none (2 v=STSv1 TXT records (must be one))");
        assertThat(fetcher.fetches).hasValue(0);
    }

    @Test
    void aFailedFetchIsNotRetriedWithinTheFailureMemory() {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.failures.put("dest.test", "timed out");
        MtaStsPolicySource source = source(Duration.ofMinutes(5));

        source.lookup("dest.test");
        MtaStsLookup remembered = source.lookup("dest.test");
        assertThat(fetcher.fetches).hasValue(1);
        assertThat(remembered.note().get()).startsWith("timed out (not retried before ");

        dns.txt("_mta-sts.dest.test", "v=STSv1; id=2"); // a new id is worth a new try
        source.lookup("dest.test");
        assertThat(fetcher.fetches).hasValue(2);

        clock.advance(Duration.ofMinutes(5));
        fetcher.failures.clear();
        fetcher.bodies.put("dest.test", ENFORCE);
        assertThat(source.lookup("dest.test").isEnforce()).isTrue();
    }

    @Test
    void concurrentLookupsOfOneDomainAllSeeThePolicy() throws Exception {
        dns.txt("_mta-sts.dest.test", "v=STSv1; id=1");
        fetcher.bodies.put("dest.test", ENFORCE);
        MtaStsPolicySource source = source();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MtaStsLookup>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> source.lookup("dest.test")));
            }
            for (Future<MtaStsLookup> result : results) {
                assertThat(result.get().isEnforce()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(new MtaStsPolicyCache(dir, clock).get("dest.test", clock.instant())).isPresent();
    }
}
