/**
 * Planning one delivery run: from a {@link org.jamestls.delivery.plan.DeliveryRequest} (mail, domain, binding,
 * the operator's options) and what the domain publishes (MX records, MTA-STS, DANE) to a
 * {@link org.jamestls.delivery.plan.DeliveryPlan}: the MX addresses in order, each with its final connection and
 * TLS profile, the mechanism that decided it, a refusal where it may not be tried, and the plaintext fallback
 * where one is allowed. Every delivery decision lives here ({@link org.jamestls.delivery.plan.DeliveryPlanner},
 * {@link org.jamestls.delivery.plan.TlsProfiles}); the packages above only carry it out.
 */
package org.jamestls.delivery.plan;
