/**
 * MTA-STS (RFC 8461): discovery of a recipient domain's policy (the {@code _mta-sts} TXT record), fetching
 * it over verified HTTPS, caching it in memory and on disk, and matching MX hosts against it.
 * {@link org.jamestls.mtasts.MtaStsPolicySource#lookup(String)} is the entry point for delivery code.
 */
package org.jamestls.mtasts;
