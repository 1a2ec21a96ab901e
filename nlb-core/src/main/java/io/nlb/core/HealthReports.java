package io.nlb.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health reports of one {@link TargetGroup}: by target ({@link TargetGroup#reportHealth},
 * what tests and applications call) and by registration id ({@link Nlb#reportHealth(String, Map)},
 * what the health-check engine calls with the ids of the {@link TargetSet}). Each report is one
 * control-plane command that sets the health and republishes only the routes holding a changed
 * target; the {@link TargetHealthListener}s are told afterwards, outside the control plane.
 *
 * <p>Thread-safe: any thread may report; the state changes run on the control plane.
 */
final class HealthReports {
  private final TargetGroup group;
  private final Nlb nlb;

  HealthReports(TargetGroup group, Nlb nlb) {
    this.group = group;
    this.nlb = nlb;
  }

  /** See {@link TargetGroup#reportHealth(Target, TargetHealth)}. */
  TargetHealth report(Target target, TargetHealth health) {
    checkReportable(health);
    Transitions t = new Transitions();
    TargetHealth previous = nlb.control.call(() -> {
      RegisteredTarget r = require(target);
      TargetHealth before = r.health();
      t.apply(List.of(r), List.of(health));
      return before;
    });
    t.fire();
    return previous;
  }

  /** See {@link TargetGroup#reportHealth(Map)}. */
  void report(Map<Target, TargetHealth> healths) {
    for (TargetHealth health : healths.values()) {
      checkReportable(health);
    }
    Transitions t = new Transitions();
    nlb.control.run(() -> {
      group.checkLive();
      List<RegisteredTarget> found = new ArrayList<>(healths.size());
      for (Target target : healths.keySet()) {
        found.add(require(target));
      }
      t.apply(found, List.copyOf(healths.values()));
    });
    t.fire();
  }

  /**
   * Records health by registration id: the body of {@link Nlb#reportHealth(String, Map)}. Ids this
   * group no longer holds, and a group deleted or an {@link Nlb} closed meanwhile, are skipped.
   *
   * @return the registrations found, by id
   */
  Map<Long, RegisteredTarget> reportByIds(Map<Long, TargetHealth> healths) {
    for (TargetHealth health : healths.values()) {
      checkReportable(health);
    }
    Map<Long, RegisteredTarget> found = new LinkedHashMap<>();
    Transitions t = new Transitions();
    nlb.control.run(() -> {
      if (group.isDeleted() || nlb.isClosed()) {
        return;
      }
      Map<Long, RegisteredTarget> byId = new HashMap<>();
      for (RegisteredTarget r : group.registrations.all()) {
        byId.put(r.registrationId(), r);
      }
      List<RegisteredTarget> targets = new ArrayList<>();
      List<TargetHealth> states = new ArrayList<>();
      healths.forEach((id, health) -> {
        RegisteredTarget r = byId.get(id);
        if (r != null) {
          found.put(id, r);
          targets.add(r);
          states.add(health);
        }
      });
      t.apply(targets, states);
    });
    t.fire();
    return found;
  }

  /** The registration of {@code target}; a command. */
  private RegisteredTarget require(Target target) {
    group.checkLive();
    RegisteredTarget r = group.registrations.get(target);
    if (r == null) {
      throw new NlbException(ErrorCode.INVALID_TARGET, Check.message("target", target.toString(), "a target registered with " + group.name()));
    }
    return r;
  }

  /** Only what checks find may be reported; draining and unused follow from registration. */
  static void checkReportable(TargetHealth health) {
    switch (health.state()) {
      case INITIAL:
      case HEALTHY:
      case UNHEALTHY:
      case UNAVAILABLE:
        return;
      default:
        throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("health.state", health.state().toString(),
            "initial, healthy, unhealthy or unavailable; draining and unused follow from registration"));
    }
  }

  /** The transitions of one report: applied on the control plane, announced after it. */
  private final class Transitions {
    private final List<RegisteredTarget> changed = new ArrayList<>();
    private final List<TargetHealth> previous = new ArrayList<>();
    private final List<TargetHealth> current = new ArrayList<>();

    /** Sets each target's health, skipping those equal to it, and republishes once. A command. */
    void apply(List<RegisteredTarget> targets, List<TargetHealth> healths) {
      for (int i = 0; i < targets.size(); i++) {
        RegisteredTarget r = targets.get(i);
        TargetHealth before = r.health();
        TargetHealth health = healths.get(i);
        if (!before.equals(health)) {
          r.health(health);
          changed.add(r);
          previous.add(before);
          current.add(health);
        }
      }
      if (changed.isEmpty()) {
        return;
      }
      // Only the routes that hold a changed target are rebuilt.
      LoadBalancer lb = nlb.registry.loadBalancerOf(group);
      if (lb != null) {
        lb.routing.republishHealth(group, changed);
      }
    }

    /** Tells the health listeners, outside the control plane: they may call back into the Nlb. */
    void fire() {
      for (int j = 0; j < changed.size(); j++) {
        nlb.fireHealthTransition(changed.get(j), previous.get(j), current.get(j));
      }
    }
  }
}
