package io.nlb.core;

/**
 * The life cycle of a load balancer: {@code provisioning → active}, or {@code failed} with a
 * reason when its listeners could not be bound.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum LoadBalancerState {
  /** Being set up: listeners are being bound. */
  PROVISIONING,
  /** Fully set up and routing traffic. */
  ACTIVE,
  /** Could not be set up; {@link LoadBalancer#stateReason()} says why. */
  FAILED,
  /** Deleted; every operation on it is refused. */
  DELETED;

  /** The API spelling, lower case. */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
