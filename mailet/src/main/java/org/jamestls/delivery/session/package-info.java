/**
 * SMTP sessions to MX addresses: opening one as its connection plan says (connect, greeting, EHLO, STARTTLS),
 * keeping it in the {@link org.jamestls.delivery.session.SessionPool} between mails within the operator's bounds,
 * and running one mail transaction on it ({@link org.jamestls.delivery.session.MailTransaction}).
 */
package org.jamestls.delivery.session;
