/**
 * Per-destination TLS policy (Momentum/Ecelerity's {@code tls} option and friends), read from
 * {@code tls-policy.xml}.
 *
 * <p>Options can be set in nested scopes; the most specific scope that sets an option decides it
 * (see {@link org.jamestls.policy.PolicyScope}). Every option is described once by a
 * {@link org.jamestls.policy.PolicyOption}: adding an option means adding one constant there, one
 * accessor on {@link org.jamestls.policy.ScopeOptions} and one on
 * {@link org.jamestls.policy.ResolvedTlsPolicy}; parsing and resolution are generic.
 */
package org.jamestls.policy;
