package io.nlb.dns;

/**
 * Whether a load balancer node may appear in the answer for its load balancer's DNS name.
 *
 * @since 0.1
 */
public enum NodeState {
  /** The node can serve: it is in the answer. */
  SERVING,
  /**
   * The node's zone is unhealthy in DNS (a target group's healthy targets there are below its DNS
   * failover threshold, by default none healthy): out of the answer unless no node is {@link
   * #SERVING} (fail open).
   */
  UNHEALTHY,
  /** A zonal shift moves traffic away from the node's zone: out of the answer, even when failing open. */
  SHIFTED_AWAY,
  /** The node is gone (its process stopped, its lease expired): never in any answer. */
  GONE
}
