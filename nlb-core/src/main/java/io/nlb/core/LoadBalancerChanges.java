package io.nlb.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The elbv2 operations that change a {@link LoadBalancer} as a whole — attributes, zones, IP
 * address type, deletion — each a command that checks everything first, changes the load balancer,
 * and returns the {@link Change} with its binding and how to take it back (attributes and zones
 * as a {@link QuotaGate.Proposed} change that the quota gate admits first). The {@link LoadBalancer}
 * keeps the handle, its listeners and its publication.
 *
 * <p>Control plane only: every method runs inside a command.
 */
final class LoadBalancerChanges {
  private LoadBalancerChanges() {}

  static QuotaGate.Proposed<Change<LoadBalancerAttributes>> modifyAttributes(LoadBalancer lb, Map<String, String> changes) {
      lb.checkLive();
      List<String> problems = new ArrayList<>();
      Map<String, String> merged = new LinkedHashMap<>(lb.attributes.explicitValues());
      merged.putAll(AttributeSpec.normalizeAll("loadBalancer", LoadBalancerAttributes.SPECS, changes, problems));
      LoadBalancerAttributes next = new LoadBalancerAttributes(merged).resolve(lb.scheme(), problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      if (lb.zonalShiftUnlocked() != null && next.crossZoneEnabled()) {
        throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(LoadBalancerAttributes.CROSS_ZONE, "true",
            "false while a zonal shift is active (away from " + lb.zonalShiftUnlocked().zone() + ")"));
      }
      LoadBalancerAttributes previous = lb.attributes;
      lb.attributes = next;
      return new QuotaGate.Proposed<>(new QuotaGate.LoadBalancerShape(lb), () -> lb.attributes = previous, () -> {
        if (accessLogsChanged(previous, next)) {
          // The transport opens or closes the TLS access log in apply(); bindings stay as they are.
          return new Change<>(next, lb.routing.rebind(), () -> {
            if (lb.attributes == next) {
              lb.attributes = previous;
              lb.routing.rebindAfterUndo();
            }
          });
        }
        lb.routing.republish();
        return Change.done(next);
      });
  }

  static QuotaGate.Proposed<Change<Boolean>> setZones(LoadBalancer lb, List<Zone> next) {
      lb.checkLive();
      for (Zone z : lb.zones) {
        Zone match = null;
        for (Zone n : next) {
          if (n.name().equals(z.name())) {
            match = n;
          }
        }
        if (match == null) {
          throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("loadBalancer[" + lb.name() + "].zones", z.name(),
              "every enabled zone; zones cannot be disabled once enabled"));
        }
        if (!match.equals(z)) {
          throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("loadBalancer[" + lb.name() + "].zone[" + z.name() + "]",
              match.toString(), "the zone unchanged (" + z + "); a node's addresses cannot change"));
        }
      }
      List<Zone> merged = new ArrayList<>(lb.zones);
      for (Zone n : next) {
        if (!lb.zones.contains(n)) {
          merged.add(n);
        }
      }
      List<String> problems = new ArrayList<>();
      LoadBalancerConfig.checkZones("loadBalancer[" + lb.name() + "]", merged, lb.ipAddressType, problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      List<Zone> previous = new ArrayList<>(lb.zones);
      lb.zones.clear();
      lb.zones.addAll(merged);
      List<Zone> applied = List.copyOf(merged);
      return new QuotaGate.Proposed<>(new QuotaGate.LoadBalancerShape(lb), () -> {
        lb.zones.clear();
        lb.zones.addAll(previous);
      }, () -> new Change<>(Boolean.TRUE, lb.routing.rebind(), () -> {
        if (lb.zones.equals(applied)) {
          lb.zones.clear();
          lb.zones.addAll(previous);
          lb.routing.rebindAfterUndo();
        }
      }));
  }

  static Change<Boolean> setIpAddressType(LoadBalancer lb, IpAddressType type) {
      lb.checkLive();
      List<String> problems = new ArrayList<>();
      if (type == IpAddressType.IPV6) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("loadBalancer.ipAddressType", "ipv6", "ipv4 or dualstack"));
      }
      if (type == IpAddressType.DUALSTACK) {
        for (Listener l : lb.listeners) {
          LoadBalancerConfig.checkListenerFits(l.configUnlocked(), type, problems);
          TargetGroup tg = lb.nlb().registry.requireTargetGroup("targetGroup", l.configUnlocked().targetGroup());
          LoadBalancerConfig.checkGroupFits(l.configUnlocked(), tg.protocol(), type, problems);
        }
        LoadBalancerConfig.checkZones("loadBalancer[" + lb.name() + "]", lb.zones, type, problems);
      } else {
        for (Listener l : lb.listeners) {
          TargetGroup tg = lb.nlb().registry.requireTargetGroup("targetGroup", l.configUnlocked().targetGroup());
          if (tg.ipAddressType() == IpAddressType.IPV6) {
            problems.add(Check.message("loadBalancer.ipAddressType", "ipv4", "dualstack while " + l.configUnlocked().path() + " forwards to the ipv6 group " + tg.name()));
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.INVALID_CONFIGURATION_REQUEST, problems);
      }
      IpAddressType previous = lb.ipAddressType;
      lb.ipAddressType = type;
      return new Change<>(Boolean.TRUE, lb.routing.rebind(), () -> {
        if (lb.ipAddressType == type) {
          lb.ipAddressType = previous;
          lb.routing.rebindAfterUndo();
        }
      });
  }

  /** Deletes this load balancer; a command. Unbinding cannot be refused: nothing to undo. */
  static Change<Boolean> delete(LoadBalancer lb) {
      if (lb.state == LoadBalancerState.DELETED) {
        return Change.done(Boolean.TRUE);
      }
      if (lb.attributes.deletionProtectionEnabled()) {
        throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(LoadBalancerAttributes.DELETION_PROTECTION, "true",
            "false; disable deletion protection before deleting " + lb.name()));
      }
      lb.cancelTimers();
      lb.listeners.clear();
      lb.state = LoadBalancerState.DELETED;
      lb.nlb().registry.remove(lb);
      // The load balancer is gone whatever the sockets do; during an apply, the sockets close only
      // once the rest of the apply is bound (it may still be taken back).
      CompletableFuture<Void> unbound = new CompletableFuture<>();
      boolean now = lb.nlb().batch.afterBinding(() -> {
        CompletionStage<Void> s = lb.nlb().transport == null ? Change.BOUND : lb.nlb().transport.remove(lb);
        s.whenComplete((v, e) -> unbound.complete(null));
      });
      return new Change<>(Boolean.TRUE, now ? unbound : Change.BOUND, () -> {});
  }

  static LoadBalancer.Saved save(LoadBalancer lb) {
    Map<Listener, ListenerConfig> configs = new HashMap<>();
    for (Listener l : lb.listeners) {
      configs.put(l, l.configUnlocked());
    }
    return new LoadBalancer.Saved(lb.ipAddressType, List.copyOf(lb.zones), lb.attributes, Map.copyOf(lb.tags.current()), List.copyOf(lb.listeners), configs, lb.state);
  }

  /** Puts back what {@link #save} kept; the caller re-binds. */
  static void restore(LoadBalancer lb, LoadBalancer.Saved s) {
    lb.ipAddressType = s.ipAddressType();
    lb.zones.clear();
    lb.zones.addAll(s.zones());
    lb.attributes = s.attributes();
    lb.tags.restore(s.tags());
    lb.listeners.clear();
    lb.listeners.addAll(s.listeners());
    for (Listener l : lb.listeners) {
      ListenerConfig c = s.configs().get(l);
      if (c != null) {
        l.config(c);
      }
      l.undelete();
    }
    lb.state = s.state();
  }

  private static boolean accessLogsChanged(LoadBalancerAttributes a, LoadBalancerAttributes b) {
    return a.accessLogsEnabled() != b.accessLogsEnabled() || !a.accessLogsDirectory().equals(b.accessLogsDirectory())
        || !a.accessLogsPrefix().equals(b.accessLogsPrefix());
  }
}
