package io.nlb.healthcheck;

import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import java.util.List;

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
  MAJORITY;

  private static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  private static final TargetHealth INTERNAL_ERROR = TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR);
  private static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  private static final TargetHealth INITIAL_CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);

  /**
   * The health reported for a target whose checking nodes see {@code views}: the single view when
   * one node checks; otherwise the state a strict majority agrees on, or {@code previous} (moved
   * from registration to initial checking once any node has started).
   */
  static TargetHealth combine(List<TargetHealth> views, TargetHealth previous) {
    int n = views.size();
    if (n == 1) {
      return views.get(0);
    }
    int healthy = 0;
    int unhealthy = 0;
    int unavailable = 0;
    boolean checking = false;
    for (TargetHealth h : views) {
      switch (h.state()) {
        case HEALTHY:
          healthy++;
          break;
        case UNHEALTHY:
          unhealthy++;
          break;
        case UNAVAILABLE:
          unavailable++;
          break;
        default:
          checking |= !h.equals(REGISTRATION);
      }
    }
    if (2 * healthy > n) {
      return TargetHealth.healthy();
    }
    if (2 * unhealthy > n) {
      return FAILED;
    }
    if (2 * unavailable > n) {
      return INTERNAL_ERROR;
    }
    if (previous.equals(REGISTRATION) && (checking || healthy + unhealthy + unavailable > 0)) {
      return INITIAL_CHECKING;
    }
    return previous;
  }
}
