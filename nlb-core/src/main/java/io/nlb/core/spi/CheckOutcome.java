package io.nlb.core.spi;

/**
 * The outcome of one active health check, as the health-check engine's state machine counts it.
 *
 * <p>{@link #FAILURE} and {@link #TIMEOUT} are the target's fault and count toward the unhealthy
 * threshold ({@code Target.FailedHealthChecks}, {@code Target.Timeout} and {@code
 * Target.ResponseCodeMismatch} are derived from them by the engine, not by the probe); {@link
 * #ERROR} is the load balancer's (the check could not be attempted) and counts toward {@code
 * unavailable} ({@code Elb.InternalError}) without breaking a run of successes or failures.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum CheckOutcome {
  /** The target answered as required: connected (TCP) or returned a matching status (HTTP/HTTPS). */
  SUCCESS,
  /** The target refused or reset the connection, failed the TLS handshake, or answered with a non-matching status. */
  FAILURE,
  /** No complete answer within the health-check timeout. */
  TIMEOUT,
  /** The check could not be attempted (no address, probe closed, local resources exhausted): {@code Elb.InternalError}. */
  ERROR;

  /** {@return whether the outcome counts as a failed health check ({@link #FAILURE} or {@link #TIMEOUT})} */
  public boolean isFailure() {
    return this == FAILURE || this == TIMEOUT;
  }
}
