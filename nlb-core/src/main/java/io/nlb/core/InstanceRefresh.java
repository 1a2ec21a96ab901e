package io.nlb.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Re-resolves the instance targets of one {@link Nlb} through its {@link InstanceResolver} and
 * applies state changes: the resolver is called between two commands, never on the control plane,
 * and the next refresh is scheduled at the end of each.
 *
 * <p>Thread-safe: state is touched only inside commands.
 */
final class InstanceRefresh {
  private final Nlb nlb;
  private final Duration interval;
  private Scheduler.@org.jspecify.annotations.Nullable Cancellable task;

  InstanceRefresh(Nlb nlb, Duration interval) {
    this.nlb = nlb;
    this.interval = interval;
  }

  /** Schedules the first refresh, when there is a resolver. */
  void start() {
    if (nlb.instances != InstanceResolver.NONE) {
      task = nlb.scheduler.schedule(interval, nlb::refreshInstances);
    }
  }

  /** See {@link Nlb#refreshInstances()}. */
  void run() {
    List<RegisteredTarget> instanceTargets = new ArrayList<>();
    nlb.control.run(() -> {
      if (nlb.isClosed()) {
        return;
      }
      for (TargetGroup tg : nlb.registry.targetGroups().values()) {
        for (RegisteredTarget r : tg.registrationsUnlocked()) {
          if (r.isInstance()) {
            instanceTargets.add(r);
          }
        }
      }
    });
    Map<RegisteredTarget, InstanceResolver.State> states = new LinkedHashMap<>();
    for (RegisteredTarget r : instanceTargets) {
      InstanceResolver.Instance inst = nlb.instances.resolve(r.id());
      states.put(r, inst == null ? InstanceResolver.State.TERMINATED : inst.state());
    }
    nlb.control.run(() -> {
      if (nlb.isClosed()) {
        return;
      }
      Set<LoadBalancer> affected = new HashSet<>();
      for (Map.Entry<RegisteredTarget, InstanceResolver.State> e : states.entrySet()) {
        RegisteredTarget r = e.getKey();
        if (r.instanceState() != e.getValue()) {
          r.instanceState(e.getValue());
          LoadBalancer lb = nlb.registry.loadBalancerOf(r.group());
          if (lb != null) {
            affected.add(lb);
          }
        }
      }
      affected.forEach(l -> l.routing.republish());
      cancel();
      start();
    });
  }

  /** Stops the next refresh; a command. */
  void cancel() {
    Scheduler.Cancellable t = task;
    if (t != null) {
      t.cancel();
    }
    task = null;
  }
}
