package io.nlb.core;

/**
 * The health status of a registered target, as describe-target-health reports it.
 *
 * <p>Only {@link #HEALTHY} targets receive new flows in normal operation; {@link #INITIAL} and
 * {@link #UNHEALTHY} targets receive them only while their node fails open (routing failover).
 * {@link #DRAINING} targets receive no new flows but keep their existing ones.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TargetHealthState {
  /** Registration or the initial health checks are in progress. */
  INITIAL,
  /** Passing health checks. */
  HEALTHY,
  /** Did not respond to, or failed, its health checks. */
  UNHEALTHY,
  /** Not in use: not registered, group not used by a listener, zone not enabled, or invalid. */
  UNUSED,
  /** Deregistering; existing flows continue until the deregistration delay ends. */
  DRAINING,
  /** Health is unavailable because of an internal error. */
  UNAVAILABLE;

  /** The API spelling, lower case ({@code healthy}). */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
