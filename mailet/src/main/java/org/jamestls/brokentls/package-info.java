/**
 * The memory of receivers whose TLS is broken (issue 14: {@code tlsRememberBroken}; KumoMTA's
 * {@code remember_broken_tls}, Haraka's "TLS-NO-GO"): {@link org.jamestls.brokentls.BrokenTlsMemory}, a bounded,
 * time-expiring map from an MX endpoint ({@link org.jamestls.brokentls.BrokenTlsKey}) to when and how its TLS
 * handshake failed ({@link org.jamestls.brokentls.BrokenTlsEntry}). Shown and edited through WebAdmin
 * ({@code /tls-policy/broken}). The delivery planner consults it and remembers failed handshakes, under an
 * operator's {@code ifavailable} only.
 */
package org.jamestls.brokentls;
