package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.TargetSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything the engine should be checking, as one value: for every target that can receive
 * traffic, its group, the nodes that check it, and the health-check settings in force. The {@link
 * Reconciler} makes the running checks match it; it does not care where the value comes from.
 * {@link DesiredTargetsReader} derives it from the {@link TargetSet} the control plane delivers.
 *
 * <p>Immutable (lists are copied); groups and registrations are named by their ids, which is
 * what health reports carry back to the core.
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
   * @param use the group as its load balancer uses it: settings, zones, PROXY protocol
   * @param member the registration: address, port, zone, health the core holds
   * @param nodes the nodes that check it, at least one
   */
  record Entry(TargetSet.Use use, TargetSet.Member member, List<CheckNode> nodes) {
    Entry {
      nodes = List.copyOf(nodes);
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("nodes: [] (expected: at least one checking node)");
      }
    }

    String groupResourceId() {
      return use.groupResourceId();
    }

    @Nullable String zone() {
      return member.zone();
    }

    HealthCheck healthCheck() {
      return use.healthCheck();
    }
  }
}
