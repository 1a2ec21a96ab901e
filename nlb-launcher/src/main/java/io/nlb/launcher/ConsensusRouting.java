package io.nlb.launcher;

import io.nlb.cluster.ClusterView;
import io.nlb.cluster.HealthConsensus;
import io.nlb.cluster.MemberState;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routing by the cross-node health consensus in cluster mode. This process's health checks give
 * its <em>own</em> view of each target ({@code ownView}: the health-check engine's, not the
 * {@link Nlb}'s, which holds the consensus); that view is what it publishes. What routing uses is
 * {@link HealthConsensus}'s verdict over the live members' published views, this process's
 * freshest own view included: healthy when at least half of the votes are healthy, unhealthy
 * otherwise, and the own view where nobody votes. So every node with the same view of the live
 * members routes a flow to the same target.
 *
 * <p>{@link #reconcile()} reports the verdicts to the {@link Nlb} ({@link TargetGroup#reportHealth})
 * where they differ from what routing holds; it runs when the cluster view changes and after each
 * health transition of the engine (which writes its own view into the {@link Nlb} first). While
 * the view is not current (etcd unreachable: who is alive is unknown) the own view rules. Targets
 * the engine does not check here are left as they are.
 *
 * <p>Thread-safe: {@link #reconcile()} is serialized.
 */
final class ConsensusRouting {
  private static final Logger log = LoggerFactory.getLogger(ConsensusRouting.class);

  private final String self;
  private final Nlb nlb;
  private final Function<RegisteredTarget, Optional<TargetHealth>> ownView;
  private final Supplier<@Nullable ClusterView> view;

  ConsensusRouting(String self, Nlb nlb, Function<RegisteredTarget, Optional<TargetHealth>> ownView,
      Supplier<@Nullable ClusterView> view) {
    this.self = self;
    this.nlb = nlb;
    this.ownView = ownView;
    this.view = view;
  }

  static String key(RegisteredTarget r) {
    return r.id() + ":" + r.port();
  }

  /**
   * This process's own view, per group, per target ({@code id:port}): the engine's health where it
   * checks the target and the registration is in use, else the state the {@link Nlb} describes
   * (draining, unused, or not checked here).
   */
  Map<String, Map<String, TargetHealthState>> ownStates() {
    Map<String, Map<String, TargetHealthState>> out = new LinkedHashMap<>();
    for (TargetGroup g : nlb.targetGroups()) {
      Map<String, RegisteredTarget> registered = new HashMap<>();
      for (RegisteredTarget r : g.registeredTargets()) {
        registered.put(key(r), r);
      }
      Map<String, TargetHealthState> states = new LinkedHashMap<>();
      for (TargetHealthDescription d : g.describeTargetHealth()) {
        String key = d.target().id() + ":" + d.target().port().orElse(g.port());
        TargetHealthState state = d.health().state();
        RegisteredTarget r = registered.get(key);
        if (r != null && votes(state)) {
          state = ownView.apply(r).map(TargetHealth::state).orElse(state);
        }
        states.put(key, state);
      }
      out.put(g.name(), states);
    }
    return out;
  }

  private static boolean votes(TargetHealthState s) {
    return s == TargetHealthState.HEALTHY || s == TargetHealthState.UNHEALTHY || s == TargetHealthState.INITIAL
        || s == TargetHealthState.UNAVAILABLE;
  }

  /**
   * Brings routing in line with the consensus.
   *
   * @return how many targets' routing health it changed
   */
  synchronized int reconcile() {
    ClusterView v = view.get();
    Map<String, MemberState> members = new TreeMap<>();
    if (v != null && v.isCurrent()) {
      members.putAll(v.members());
    }
    members.put(self, new MemberState(self, List.of(), ownStates()));
    Map<HealthConsensus.TargetRef, HealthConsensus.Votes> votes = HealthConsensus.of(members.values());
    int changed = 0;
    for (TargetGroup g : nlb.targetGroups()) {
      for (RegisteredTarget r : g.registeredTargets()) {
        Optional<TargetHealth> own = ownView.apply(r);
        if (own.isEmpty() || r.isDraining() || r.isRemoved()) {
          continue;
        }
        TargetHealth want = verdict(own.get(), votes.get(new HealthConsensus.TargetRef(g.name(), key(r))));
        if (want.equals(r.health())) {
          continue;
        }
        try {
          g.reportHealth(r.target(), want);
          changed++;
          log.debug("consensus: {} {} for routing (own view {})", r, want.state(), own.get().state());
        } catch (NlbException | IllegalStateException e) {
          log.debug("consensus: {} not reported: {}", r, e.getMessage()); // deregistered or closing meanwhile
        }
      }
    }
    return changed;
  }

  /** The health routing uses: the own view where nobody votes or where it agrees with the votes. */
  static TargetHealth verdict(TargetHealth own, HealthConsensus.@Nullable Votes votes) {
    if (votes == null) {
      return own;
    }
    if (votes.healthyForRouting()) {
      return own.state() == TargetHealthState.HEALTHY ? own : TargetHealth.healthy();
    }
    return own.state() == TargetHealthState.UNHEALTHY ? own : TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  }
}
