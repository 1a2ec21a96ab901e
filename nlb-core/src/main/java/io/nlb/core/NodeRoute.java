package io.nlb.core;

import io.nlb.core.internal.TargetSelector;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one node (zone) of a load balancer routes new flows of one listener: the targets in the
 * node's scope, which of them are eligible, and the Maglev selector that maps a flow hash to one.
 * Fail-open and failover are decided when the route is built, not per flow.
 *
 * <p>{@link #select(long)} is the hot path: a pure function of the hash that never blocks and
 * never allocates.
 *
 * <p>Immutable and thread-safe.
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
  private final RegisteredTarget[] targets;
  private final @Nullable TargetSelector selector;
  private final Mode mode;
  private final boolean sticky;
  private final int healthyCount;

  NodeRoute(String zone, RegisteredTarget[] targets, @Nullable TargetSelector selector, Mode mode, boolean sticky, int healthyCount) {
    this.zone = zone;
    this.targets = targets;
    this.selector = selector;
    this.mode = mode;
    this.sticky = sticky;
    this.healthyCount = healthyCount;
  }

  /**
   * The target for a new flow with {@code flowHash}. Use {@link #sticky()} to decide which hash to
   * pass.
   *
   * @param flowHash the flow's (or, when sticky, the source's) hash
   * @return the target, or null when the node has no target
   */
  public @Nullable RegisteredTarget select(long flowHash) {
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
  public List<RegisteredTarget> targets() {
    return List.of(targets);
  }

  /** {@return how many targets in scope are healthy} */
  public int healthyCount() {
    return healthyCount;
  }

  @Nullable TargetSelector selector() {
    return selector;
  }

  @Override
  public String toString() {
    return "NodeRoute{" + zone + " " + mode + " healthy=" + healthyCount + "/" + targets.length + (sticky ? " sticky" : "") + "}";
  }
}
