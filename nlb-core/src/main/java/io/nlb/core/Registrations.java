package io.nlb.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The registrations of one {@link TargetGroup}: registering (each target resolved and checked;
 * the quotas are the {@link QuotaGate}'s), deregistering with the draining timer, and saving and restoring them for a
 * failed {@link Nlb#apply}. The group keeps its attributes and health reporting.
 *
 * <p>Control plane only: every method runs inside a command.
 */
final class Registrations {
  private final TargetGroup group;
  private final Nlb nlb;
  /** Registrations by id#group.port(), draining ones included, in registration order. */
  private final Map<String, RegisteredTarget> byKey = new LinkedHashMap<>();

  Registrations(TargetGroup group, Nlb nlb) {
    this.group = group;
    this.nlb = nlb;
  }

  Collection<RegisteredTarget> all() {
    return byKey.values();
  }

  /** The registration of {@code t} (by id and effective group.port()), or null. */
  @Nullable RegisteredTarget get(Target t) {
    return byKey.get(RegisteredTarget.key(t.id(), t.port().orElse(group.port())));
  }

  /**
   * See {@link TargetGroup#registerTargets(Collection)}; a command body. The new registrations
   * join the group at once; the {@link QuotaGate} then admits them or takes them out again.
   */
  QuotaGate.Proposed<Boolean> register(Collection<Target> targets) {
    group.checkLive();
    List<String> problems = new ArrayList<>();
    Map<String, RegisteredTarget> added = new LinkedHashMap<>();
    List<RegisteredTarget> revived = new ArrayList<>();
    int i = 0;
    for (Target t : targets) {
      String field = "targets[" + i++ + "]";
      try {
        int effectivePort = t.port().orElse(group.port());
        String key = RegisteredTarget.key(t.id(), effectivePort);
        RegisteredTarget existing = byKey.get(key);
        if (existing != null) {
          String zone = t.zoneOrNull();
          // Compare with the zone the target is in, derived from the zones' ranges when it was
          // registered by address alone, not only with an explicit or resolved zone.
          LoadBalancer owner = nlb.registry.loadBalancerOf(group);
          String current = owner == null ? existing.knownZone() : existing.zoneIn(owner);
          if (zone != null && !zone.equals(current)) {
            problems.add(Check.message(field + ".zone", zone, "the zone it is registered in (" + (current == null ? "none" : current) + ")"));
          } else if (existing.isDraining()) {
            revived.add(existing);
          }
          continue;
        }
        if (!added.containsKey(key)) {
          added.put(key, resolve(field, t, effectivePort));
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.INVALID_TARGET, problems);
    }
    byKey.putAll(added);
    return new QuotaGate.Proposed<>(new QuotaGate.Registered(group), () -> added.keySet().forEach(byKey::remove), () -> {
      for (RegisteredTarget r : revived) {
        r.draining(false, null);
      }
      group.republish();
      return Boolean.TRUE;
    });
  }

  private RegisteredTarget resolve(String field, Target t, int effectivePort) {
    if (t.type() != group.targetType()) {
      throw Check.invalid(field, t.toString(), "an " + group.targetType() + " target for the " + group.targetType() + " target group " + group.name());
    }
    long rid = nlb.ids.nextRegistrationId();
    switch (group.targetType()) {
      case IP: {
        InetAddress a = Addresses.parseLiteral(field + ".id", t.id());
        boolean v6 = a instanceof Inet6Address;
        if (v6 != (group.ipAddressType() == IpAddressType.IPV6)) {
          throw Check.invalid(field + ".id", t.id(), "an " + group.ipAddressType() + " address for the " + group.ipAddressType() + " target group " + group.name());
        }
        return new RegisteredTarget(group, t, effectivePort, rid, a, t.zoneOrNull(), InstanceResolver.State.RUNNING, null);
      }
      case INSTANCE: {
        InstanceResolver.Instance inst = nlb.instances.resolve(t.id());
        if (inst == null) {
          throw Check.invalid(field + ".id", t.id(), "an instance the instance resolver knows");
        }
        if (inst.state() != InstanceResolver.State.RUNNING) {
          throw Check.invalid(field + ".id", t.id() + " (" + inst.state().name().toLowerCase(java.util.Locale.ROOT) + ")",
              "a running instance");
        }
        String zone = t.zoneOrNull() != null ? t.zoneOrNull() : inst.zone();
        return new RegisteredTarget(group, t, effectivePort, rid, inst.address(), zone, inst.state(), null);
      }
      default: {
        AlbEndpoints.State alb = nlb.albs.require(t.id());
        if (t.port().isPresent() && t.port().getAsInt() != group.port()) {
          throw Check.invalid(field + ".port", t.port().getAsInt(), "no port override; an alb target receives traffic on the group port " + group.port());
        }
        if (alb.endpoint.port() != group.port()) {
          throw Check.invalid(field + ".id", t.id(), "an endpoint whose listener port (" + alb.endpoint.port() + ") equals the group port " + group.port());
        }
        RegisteredTarget r = new RegisteredTarget(group, t, effectivePort, rid, null, null, InstanceResolver.State.RUNNING, t.id());
        r.albAddresses(alb.addresses);
        return r;
      }
    }
  }

  /** See {@link TargetGroup#deregisterTargets(Collection)}; a command. */
  void deregister(Collection<Target> targets) {
    group.checkLive();
    List<String> problems = new ArrayList<>();
    List<RegisteredTarget> found = new ArrayList<>();
    int i = 0;
    for (Target t : targets) {
      String field = "targets[" + i++ + "]";
      RegisteredTarget r = get(t);
      if (r == null) {
        problems.add(Check.message(field, t.toString(), "a target registered with " + group.name()));
      } else if (!found.contains(r)) {
        found.add(r);
      }
    }
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.INVALID_TARGET, problems);
    }
    Duration delay = group.attributesUnlocked().deregistrationDelay();
    List<RegisteredTarget> removeNow = new ArrayList<>();
    for (RegisteredTarget r : found) {
      if (r.isDraining()) {
        continue;
      }
      if (delay.isZero()) {
        removeNow.add(r);
      } else {
        r.draining(true, nlb.scheduler.schedule(delay, () -> nlb.control.execute(() -> finishDraining(r))));
      }
    }
    for (RegisteredTarget r : removeNow) {
      r.draining(true, null);
      byKey.remove(r.stableKey());
      r.removed();
    }
    // The snapshot published names the removed targets; the transport learns from its
    // difference with the previous one which flows to close (FlowResets).
    group.republish();
  }

  private void finishDraining(RegisteredTarget r) {
    nlb.control.run(() -> {
      if (group.isDeleted() || !r.isDraining() || byKey.get(r.stableKey()) != r) {
        return;
      }
      byKey.remove(r.stableKey());
      r.draining(true, null);
      r.removed();
      group.republish();
    });
  }

  /** The health of one registration as the API reports it. */
  TargetHealth effectiveHealth(RegisteredTarget r) {
    if (r.isDraining()) {
      return TargetHealth.of(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS);
    }
    LoadBalancer lb = nlb.registry.loadBalancerOf(group);
    if (lb == null) {
      return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(0));
    }
    if (r.instanceState() == InstanceResolver.State.STOPPED) {
      return TargetHealth.of(TargetHealthReason.TARGET_INVALID_STATE, "Target is in the stopped state");
    }
    if (r.instanceState() == InstanceResolver.State.TERMINATED) {
      return TargetHealth.of(TargetHealthReason.TARGET_INVALID_STATE, "Target is in the terminated state");
    }
    if (lb.routing.ipUnusable(r)) {
      return TargetHealth.of(TargetHealthReason.TARGET_IP_UNUSABLE);
    }
    if (!r.isAlb()) {
      String zone = r.zoneIn(lb);
      if (zone == null) {
        return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(2));
      }
      if (!lb.routing.enabled(zone)) {
        return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(1));
      }
    }
    return r.health();
  }

  TargetHealthDescription describe(RegisteredTarget r) {
    Target shown = r.target().withPort(r.port());
    LoadBalancer lb = nlb.registry.loadBalancerOf(group);
    String zone = lb == null ? r.knownZone() : r.zoneIn(lb);
    if (zone != null && r.target().zoneOrNull() == null) {
      shown = shown.withZone(zone);
    }
    String hcPort = group.healthCheckUnlocked().port().isPresent() ? Integer.toString(group.healthCheckUnlocked().port().getAsInt()) : Integer.toString(r.port());
    return new TargetHealthDescription(shown, hcPort, effectiveHealth(r));
  }

  /** The registrations and which of them drain, kept so that a failed {@link Nlb#apply} can be taken back. */
  record Saved(Map<String, RegisteredTarget> registrations, Set<RegisteredTarget> draining) {}

  Saved save() {
    Set<RegisteredTarget> draining = new HashSet<>();
    for (RegisteredTarget r : byKey.values()) {
      if (r.isDraining()) {
        draining.add(r);
      }
    }
    return new Saved(new LinkedHashMap<>(byKey), draining);
  }

  /**
   * Puts back what {@link #save()} kept: registrations added since are dropped, those
   * deregistered since are serving again (their drain timers cancelled).
   */
  void restore(Saved s) {
    for (RegisteredTarget r : byKey.values()) {
      if (!s.registrations().containsValue(r) && r.isDraining()) {
        r.draining(true, null);
      }
    }
    byKey.clear();
    byKey.putAll(s.registrations());
    for (RegisteredTarget r : byKey.values()) {
      if (!s.draining().contains(r) && r.isDraining()) {
        r.draining(false, null);
      }
      r.unremove();
    }
  }

  /** Stops every drain timer (the group is deleted or the {@link Nlb} closed). */
  void cancelTimers() {
    for (RegisteredTarget r : byKey.values()) {
      if (r.isDraining()) {
        r.draining(true, null);
      }
    }
  }

  void clear() {
    byKey.clear();
  }
}
