/**
 * Outbound delivery of one mail to one domain, as a pipeline of sub-packages, each depending only on those
 * before it: {@code outcome} (values and how they are reported), {@code plan} (every decision, before any
 * connection), {@code session} (SMTP sessions and the pool), this package's
 * {@link org.jamestls.delivery.DomainDeliverer} (runs a plan), and {@code settle} (deferral, bounce, onSuccess).
 */
package org.jamestls.delivery;
