package io.nlb.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What open flows must learn when a load balancer's routing changes, computed from the difference
 * between the previous and the new {@link RoutingSnapshot} and handed to the transport as one
 * event ({@link io.nlb.core.spi.Transport#resetFlows}):
 *
 * <ul>
 *   <li>{@link #terminate()}: targets that left their group (deregistration delay over) while their
 *       group's {@code deregistration_delay.connection_termination.enabled} is true: close their
 *       flows now;
 *   <li>{@link #unhealthy()}: targets that turned unhealthy or unavailable: their flows reset on
 *       their next client data unless the node fails open then;
 *   <li>{@link #healthy()}: targets no longer unhealthy: their flows carry on.
 * </ul>
 *
 * <p>Flows are matched to targets by {@link RouteTarget#registrationId()}.
 *
 * <pre>{@code
 * FlowResets r = FlowResets.between(previous, next);
 * for (RouteTarget t : r.terminate()) closeFlowsOf(t.registrationId());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param terminate targets whose flows close now
 * @param unhealthy targets whose flows reset on their next client data unless their node fails open
 * @param healthy targets whose flows are no longer marked unhealthy
 * @since 0.2
 */
public record FlowResets(List<RouteTarget> terminate, List<RouteTarget> unhealthy, List<RouteTarget> healthy) {
  /** No change for any flow. */
  public static final FlowResets NONE = new FlowResets(List.of(), List.of(), List.of());

  /**
   * Copies the lists.
   *
   * @param terminate targets whose flows are closed
   * @param unhealthy targets whose flows are marked unhealthy
   * @param healthy targets whose flows are no longer marked unhealthy
   */
  public FlowResets {
    terminate = List.copyOf(terminate);
    unhealthy = List.copyOf(unhealthy);
    healthy = List.copyOf(healthy);
  }

  /** {@return whether no flow is affected} */
  public boolean isEmpty() {
    return terminate.isEmpty() && unhealthy.isEmpty() && healthy.isEmpty();
  }

  /**
   * The flow changes that moving from {@code previous} to {@code next} implies. Only targets a
   * route of {@code previous} held (in scope or draining) can have flows.
   *
   * @param previous the snapshot published before, or null (nothing had flows)
   * @param next the snapshot being published
   * @return the changes; {@link #NONE} when none
   */
  public static FlowResets between(@Nullable RoutingSnapshot previous, RoutingSnapshot next) {
    if (previous == null) {
      return NONE;
    }
    Map<Long, RouteTarget> before = all(previous);
    Map<Long, RouteTarget> after = all(next);
    List<RouteTarget> unhealthy = new ArrayList<>();
    List<RouteTarget> healthy = new ArrayList<>();
    for (RouteTarget now : after.values()) {
      RouteTarget was = before.get(now.registrationId());
      if (was != null && was.isUnhealthy() != now.isUnhealthy()) {
        (now.isUnhealthy() ? unhealthy : healthy).add(now);
      }
    }
    List<RouteTarget> terminate = new ArrayList<>();
    for (RouteTarget gone : next.removed()) {
      if (before.containsKey(gone.registrationId()) && !after.containsKey(gone.registrationId())
          && terminates(next, previous, gone.group())) {
        terminate.add(gone);
      }
    }
    if (terminate.isEmpty() && unhealthy.isEmpty() && healthy.isEmpty()) {
      return NONE;
    }
    return new FlowResets(terminate, unhealthy, healthy);
  }

  /** Every target any node of {@code s} holds, in scope or draining, by registration. */
  private static Map<Long, RouteTarget> all(RoutingSnapshot s) {
    Map<Long, RouteTarget> out = new LinkedHashMap<>();
    for (ListenerRoute l : s.listeners()) {
      for (NodeRoute n : l.nodes()) {
        for (RouteTarget t : n.targets()) {
          out.putIfAbsent(t.registrationId(), t);
        }
        for (RouteTarget t : n.drainingTargets()) {
          out.putIfAbsent(t.registrationId(), t);
        }
      }
    }
    return out;
  }

  /** The group's connection-termination attribute, from the newest snapshot that routes to it. */
  private static boolean terminates(RoutingSnapshot next, RoutingSnapshot previous, String group) {
    Set<String> seen = new HashSet<>();
    for (RoutingSnapshot s : List.of(next, previous)) {
      for (ListenerRoute l : s.listeners()) {
        if (l.targetGroup().equals(group) && seen.add(group)) {
          return l.groupAttributes().connectionTermination();
        }
      }
    }
    return false;
  }
}
