package io.nlb.core;

import io.nlb.core.internal.TargetSelector;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one node (zone) of a load balancer routes new flows of one listener: the targets in the
 * node's scope as frozen {@link RouteTarget} values, which of them are eligible, and the Maglev
 * selector that maps a flow hash to one. Fail-open and failover are decided when the route is
 * built, not per flow. A value: it holds no live registration, and two routes with the same
 * targets (health included), mode and stickiness are equal.
 *
 * <p>{@link #select(long)} is the hot path: a pure function of the hash that never blocks and
 * never allocates.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class NodeRoute {
  /** How the node routes, decided when the snapshot was built. */
  public enum Mode {
    /** Healthy targets meet the group's thresholds: new flows go to healthy targets only. */
    HEALTHY,
    /**
     * Routing failover: healthy targets fell below the group's threshold (by default: none is
     * healthy), so new flows go to every target in scope, unhealthy ones included.
     */
    FAIL_OPEN,
    /** No target in scope: new flows are reset. */
    NO_TARGETS
  }

  private final String zone;
  private final RouteTarget[] targets;
  /** Deregistering targets that node would route to otherwise: never selected, their flows continue. */
  private final RouteTarget[] draining;
  private final @Nullable TargetSelector selector;
  private final Mode mode;
  private final boolean sticky;
  private final int healthyCount;

  NodeRoute(String zone, RouteTarget[] targets, RouteTarget[] draining, @Nullable TargetSelector selector, Mode mode, boolean sticky,
      int healthyCount) {
    this.zone = zone;
    this.targets = targets;
    this.draining = draining;
    this.selector = selector;
    this.mode = mode;
    this.sticky = sticky;
    this.healthyCount = healthyCount;
  }

  /**
   * The target for a new flow with {@code flowHash}, or null when the node has no target. Use
   * {@link #sticky()} to decide which hash to pass.
   *
   * @param flowHash the flow's hash (or the source hash when {@link #sticky()})
   * @return the target, or null
   */
  public @Nullable RouteTarget select(long flowHash) {
    TargetSelector s = selector;
    if (s == null) {
      return null;
    }
    int i = mode == Mode.HEALTHY ? s.select(flowHash) : s.selectIgnoringEligibility(flowHash);
    return i < 0 ? null : targets[i];
  }

  /** {@return the zone of this node} */
  public String zone() {
    return zone;
  }

  /** {@return whether the group uses source-IP stickiness: pass the source hash, not the flow hash} */
  public boolean sticky() {
    return sticky;
  }

  /** {@return how the node routes} */
  public Mode mode() {
    return mode;
  }

  /** {@return every target in the node's scope (draining ones excluded), in stable order} */
  public List<RouteTarget> targets() {
    return List.of(targets);
  }

  /**
   * The deregistering targets of the node's scope: never selected for new flows, but their open
   * flows continue until the deregistration delay ends, so the route keeps their state.
   *
   * @return the draining targets, in stable order
   */
  public List<RouteTarget> drainingTargets() {
    return List.of(draining);
  }

  /**
   * The target of this route with {@code registrationId}, in scope or draining, or null when it is
   * neither. Loops over the targets; allocates nothing.
   *
   * @param registrationId a {@link RouteTarget#registrationId()}
   * @return the target as this route saw it, or null
   */
  public @Nullable RouteTarget target(long registrationId) {
    for (RouteTarget t : targets) {
      if (t.registrationId() == registrationId) {
        return t;
      }
    }
    for (RouteTarget t : draining) {
      if (t.registrationId() == registrationId) {
        return t;
      }
    }
    return null;
  }

  /** {@return how many targets in scope are healthy} */
  public int healthyCount() {
    return healthyCount;
  }

  @Nullable TargetSelector selector() {
    return selector;
  }

  /** Equal when zone, targets (as values), mode, stickiness and healthy count are; the selector follows from them. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NodeRoute n && zone.equals(n.zone) && mode == n.mode && sticky == n.sticky
        && healthyCount == n.healthyCount && Arrays.equals(targets, n.targets) && Arrays.equals(draining, n.draining);
  }

  @Override
  public int hashCode() {
    return zone.hashCode() * 31 + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return "NodeRoute{" + zone + " " + mode + " healthy=" + healthyCount + "/" + targets.length + (sticky ? " sticky" : "") + "}";
  }
}
