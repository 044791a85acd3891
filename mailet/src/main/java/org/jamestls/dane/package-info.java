/**
 * DANE for SMTP (RFC 7672): DNSSEC-validated MX, address and TLSA lookups and certificate matching.
 *
 * <p>{@link org.jamestls.dane.DnssecResolver} asks a recursive (or authoritative) server through
 * dnsjava's {@code ValidatingResolver} and reports each answer's DNSSEC status;
 * {@link org.jamestls.dane.DaneLookup} turns those answers into what delivery must do for one MX host
 * ({@link org.jamestls.dane.DaneStatus}); {@link org.jamestls.dane.DaneTrustManager} then accepts a
 * receiver's certificate chain only if it matches one of the usable TLSA records.
 */
package org.jamestls.dane;
