/**
 * Settling a delivery run with the queue: delivered recipients are done (a copy to {@code onSuccess}),
 * permanent failures bounce, temporary ones go back through {@link org.jamestls.retry.RetryStrategy} on the
 * {@link org.jamestls.delivery.settle.RetrySchedule}, or bounce once retries run out.
 */
package org.jamestls.delivery.settle;
