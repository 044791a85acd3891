/**
 * The SMTP intake side of RFC 8689 (REQUIRETLS) for James 3.8.1's SMTP server: one handler,
 * {@link org.jamestls.smtpin.RequireTlsHandler}, named in {@code smtpserver.xml}'s {@code <handlerchain>}, that
 * offers the {@code REQUIRETLS} EHLO keyword on TLS sessions, takes the {@code REQUIRETLS} MAIL FROM parameter
 * only there, and marks the mail it enqueues ({@link org.jamestls.smtpin.RequireTlsMark}). Depends on James's
 * protocol API only; the delivery side reads the mark, never this package's handler.
 */
package org.jamestls.smtpin;
