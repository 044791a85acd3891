/**
 * Handlers for James's own SMTP listener (smtpserver.xml's handler chain), loaded from extensions-jars/ like the
 * mailet: what the sample listener needs that James 3.8.1 does not do itself.
 */
package org.jamestls.smtpserver;
