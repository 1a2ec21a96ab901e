package io.nlb.healthcheck;

/**
 * Which nodes of a load balancer check a target, and how their views combine into the health
 * reported to the core.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Consensus {
  /**
   * One checker per target: the node of the target's zone (the first enabled zone for an ALB
   * target). The least load on targets; in one process the nodes share a network view anyway.
   */
  SINGLE_NODE,
  /**
   * Every enabled zone's node checks every target with its own state machine (and its own address
   * in the {@code Host} header); the reported health changes only when a strict majority of the
   * nodes agrees on a new state, otherwise the previous health stays. Targets receive one check per
   * node per interval, as the user guide warns. The default, as in the service.
   */
  MAJORITY
}
