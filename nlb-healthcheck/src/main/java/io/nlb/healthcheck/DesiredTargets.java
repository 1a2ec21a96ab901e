package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.TargetGroup;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything the engine should be checking, as one value: for every target that can receive
 * traffic, its group, the nodes that check it, and the health-check settings in force. The {@link
 * Reconciler} makes the running checks match it; it does not care where the value comes from.
 * {@link DesiredTargetsReader} reads it from the public API at start and on each target-set event of
 * the control plane.
 *
 * <p>Immutable (lists are copied); the group and target are live handles, used to report health
 * and to resolve addresses.
 *
 * @param entries one per (group, registration); a registration appears at most once
 */
record DesiredTargets(List<Entry> entries) {
  static final DesiredTargets NONE = new DesiredTargets(List.of());

  DesiredTargets {
    entries = List.copyOf(entries);
  }

  /**
   * One target to check.
   *
   * @param group the group it is registered in
   * @param target the registration
   * @param zone the target's zone, when known (not for ALB targets)
   * @param healthCheck the group's settings; a change applies from the next check
   * @param nodes the nodes that check it, at least one
   */
  record Entry(TargetGroup group, RegisteredTarget target, @Nullable String zone, HealthCheck healthCheck,
      List<CheckNode> nodes) {
    Entry {
      nodes = List.copyOf(nodes);
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("nodes: [] (expected: at least one checking node)");
      }
    }
  }
}
