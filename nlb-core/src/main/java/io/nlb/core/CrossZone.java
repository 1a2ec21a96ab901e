package io.nlb.core;

import io.nlb.common.WireNames;

/**
 * A target group's {@code load_balancing.cross_zone.enabled}: on, off, or whatever the load
 * balancer says. The group's setting wins over the load balancer's.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum CrossZone {
  /** {@code true}: every node routes to targets in all enabled zones. */
  ENABLED("true"),
  /** {@code false}: every node routes to targets in its own zone only. */
  DISABLED("false"),
  /** {@code use_load_balancer_configuration}: follow the load balancer's attribute (the default). */
  USE_LOAD_BALANCER_CONFIGURATION("use_load_balancer_configuration");

  private final String apiValue;

  CrossZone(String apiValue) {
    this.apiValue = apiValue;
  }

  /** {@return the attribute value as the API spells it} */
  public String apiValue() {
    return apiValue;
  }

  /**
   * {@return whether cross-zone routing is on, given the load balancer's own attribute}
   *
   * @param loadBalancerCrossZone the load balancer cross zone
   */
  public boolean effective(boolean loadBalancerCrossZone) {
    return this == USE_LOAD_BALANCER_CONFIGURATION ? loadBalancerCrossZone : this == ENABLED;
  }

  static CrossZone ofApiValue(String v) {
    return WireNames.lookup(values(), v, CrossZone::apiValue)
        .orElseThrow(() -> Check.invalid(TargetGroupAttributes.CROSS_ZONE, v, "true, false or use_load_balancer_configuration"));
  }

  @Override
  public String toString() {
    return apiValue;
  }
}
