package io.nlb.cluster;

import io.nlb.core.TargetHealthState;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cross-node health rule: whether a target is healthy for routing, from the views the live
 * members publish.
 *
 * <p>The rule. Each live member that reports a target {@code healthy} or {@code unhealthy} casts
 * one vote; {@code initial}, {@code draining}, {@code unused} and {@code unavailable} do not vote
 * (the member has no finished opinion). The target is <b>healthy for routing</b> when at least half
 * of the votes say healthy, and <b>unhealthy</b> when more than half say unhealthy; a tie keeps it
 * in service, as the load balancer fails open rather than drop a target on one dissenting node. A
 * target that no live member votes on has no consensus: callers keep their own local view.
 *
 * <p>Examples, (healthy, unhealthy) votes: (3, 0) healthy; (2, 1) healthy; (1, 1) healthy;
 * (1, 2) unhealthy; (0, 1) unhealthy; (0, 0) no consensus.
 *
 * <p>A pure function; thread-safe.
 *
 * @since 0.1
 */
public final class HealthConsensus {
  /**
   * A target of a group, as members publish it.
   *
   * @param group the target group's name
   * @param target the target as {@code id:port}
   */
  public record TargetRef(String group, String target) {}

  /**
   * The votes on one target.
   *
   * @param healthy members that see it healthy
   * @param unhealthy members that see it unhealthy
   */
  public record Votes(int healthy, int unhealthy) {
    /** {@return the rule's answer: at least half of the votes healthy} */
    public boolean healthyForRouting() {
      return healthy >= unhealthy && healthy > 0;
    }
  }

  private HealthConsensus() {}

  /**
   * Applies the rule to every target any member votes on.
   *
   * @param members the live members' states
   * @return per target, the votes (whose {@link Votes#healthyForRouting()} is the answer); targets without votes are absent
   */
  public static Map<TargetRef, Votes> of(Collection<MemberState> members) {
    Map<TargetRef, int[]> counts = new LinkedHashMap<>();
    for (MemberState m : members) {
      m.targets().forEach((group, states) -> states.forEach((target, state) -> {
        if (state == TargetHealthState.HEALTHY || state == TargetHealthState.UNHEALTHY) {
          int[] c = counts.computeIfAbsent(new TargetRef(group, target), k -> new int[2]);
          c[state == TargetHealthState.HEALTHY ? 0 : 1]++;
        }
      }));
    }
    Map<TargetRef, Votes> out = new LinkedHashMap<>();
    counts.forEach((k, c) -> out.put(k, new Votes(c[0], c[1])));
    return java.util.Collections.unmodifiableMap(out);
  }
}
