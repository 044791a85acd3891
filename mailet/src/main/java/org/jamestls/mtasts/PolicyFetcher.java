package org.jamestls.mtasts;

/** Gets a domain's policy file text; {@link MtaStsFetcher} over HTTPS, fakes in tests. */
@FunctionalInterface
public interface PolicyFetcher {
    /** The body of {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}, not yet parsed. */
    String fetch(String domain) throws MtaStsFetchException;
}
