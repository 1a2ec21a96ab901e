package io.nlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one place where the {@link Quotas} of an {@link Nlb} are enforced. A command whose body
 * changes something a quota counts does not count it itself: the body checks that the request is
 * valid and returns a {@link Proposed} change (what it proposes, how to take it back, and how to
 * commit it); the dispatcher hands that to {@link #admit}, which checks the state the change would
 * produce against the quotas before the change commits.
 *
 * <p>Within one command the quota problems are reported in a fixed order: counts of load
 * balancers and target groups, then (for each listener, in order) listeners, certificates, ALB
 * endpoint associations and targets per load balancer and per zone; for registrations, targets per
 * group, per load balancer and per zone, then ALB endpoint associations. A request that is both
 * invalid and over a quota is refused for being invalid.
 *
 * <p>Not thread-safe: control plane only.
 */
final class QuotaGate {
  /** What a command proposes, as far as the quotas are concerned. */
  sealed interface Proposal {}

  /** A new target group with {@code config}. */
  record NewTargetGroup(TargetGroupConfig config) implements Proposal {}

  /**
   * A new load balancer {@code name} with {@code listeners} listeners (each of which is then
   * proposed as a {@link ListenerChange}).
   */
  record NewLoadBalancer(String name, int listeners) implements Proposal {}

  /**
   * A listener of {@code lb} created or reconfigured as {@code config}; {@code others} are the
   * load balancer's other listeners, which stay.
   */
  record ListenerChange(LoadBalancer lb, ListenerConfig config, List<Listener> others) implements Proposal {}

  /** Registrations already joined to {@code group} (the undo takes them out again). */
  record Registered(TargetGroup group) implements Proposal {}

  /** {@code group}'s attributes already replaced (the undo puts the previous ones back): its load balancer's targets. */
  record GroupAttributes(TargetGroup group) implements Proposal {}

  /** {@code lb}'s attributes or zones already replaced (the undo puts the previous ones back). */
  record LoadBalancerShape(LoadBalancer lb) implements Proposal {}

  /**
   * A change a command body proposes: checked by {@link #admit}, then either taken back with
   * {@code undo} or committed with {@code commit}, whose result is the command's.
   */
  record Proposed<T>(Proposal proposal, Runnable undo, Supplier<T> commit) {
    /** A proposal that changed nothing yet: nothing to take back. */
    static <T> Proposed<T> of(Proposal proposal, Supplier<T> commit) {
      return new Proposed<>(proposal, () -> { }, commit);
    }
  }

  private final Nlb nlb;

  QuotaGate(Nlb nlb) {
    this.nlb = nlb;
  }

  /**
   * Checks {@code proposed} against the quotas and commits it; on a refusal, takes it back and
   * rethrows. A command.
   */
  <T> T admit(Proposed<T> proposed) {
    try {
      check(proposed.proposal());
    } catch (RuntimeException e) {
      proposed.undo().run();
      throw e;
    }
    return proposed.commit().get();
  }

  private void check(Proposal p) {
    Quotas q = nlb.quotas;
    if (p instanceof NewTargetGroup g) {
      int groups = nlb.registry.targetGroups().size();
      if (groups >= q.targetGroups()) {
        throw new NlbException(ErrorCode.TOO_MANY_TARGET_GROUPS, Check.message("targetGroups", groups + 1, "at most " + q.targetGroups()));
      }
      TargetGroupConfig c = g.config();
      failoverCounts(c.path(), c.attributes(), c.protocol(), c.targetType());
    } else if (p instanceof NewLoadBalancer n) {
      newLoadBalancer(n, q);
    } else if (p instanceof ListenerChange l) {
      listener(l.lb(), l.config(), l.others());
    } else if (p instanceof Registered r) {
      registered(r.group(), q);
    } else if (p instanceof GroupAttributes a) {
      TargetGroup tg = a.group();
      LoadBalancer lb = nlb.registry.loadBalancerOf(tg);
      if (lb != null) {
        targets(lb, lb.listenersMutable(), tg);
      }
    } else if (p instanceof LoadBalancerShape s) {
      if (!s.lb().listenersMutable().isEmpty()) {
        targets(s.lb(), s.lb().listenersMutable(), null);
      }
    }
  }

  private void newLoadBalancer(NewLoadBalancer n, Quotas q) {
    int lbs = nlb.registry.loadBalancers().size();
    if (lbs >= q.loadBalancers()) {
      throw new NlbException(ErrorCode.TOO_MANY_LOAD_BALANCERS, Check.message("loadBalancers", lbs + 1, "at most " + q.loadBalancers()));
    }
    if (n.listeners() > q.listenersPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_LISTENERS, Check.message("loadBalancer[" + n.name() + "].listeners", n.listeners(),
          "at most " + q.listenersPerLoadBalancer()));
    }
  }

  /**
   * The quotas of one listener {@code config} on {@code lb} beside {@code others}; the groups of
   * {@code lb}'s listeners already count against the load balancer.
   */
  private void listener(LoadBalancer lb, ListenerConfig config, List<Listener> others) {
    Quotas q = nlb.quotas;
    if (others.size() + 1 > q.listenersPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_LISTENERS,
          Check.message("loadBalancer[" + lb.name() + "].listeners", others.size() + 1, "at most " + q.listenersPerLoadBalancer()));
    }
    int certificates = config.certificateCount();
    for (Listener o : others) {
      certificates += o.configUnlocked().certificateCount();
    }
    if (certificates > q.certificatesPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_CERTIFICATES, Check.message(config.path() + ".certificates",
          certificates + " on the load balancer", "at most " + q.certificatesPerLoadBalancer()));
    }
    TargetGroup tg = nlb.registry.requireTargetGroup(config.path() + ".defaultAction.targetGroup", config.targetGroup());
    albAssociations(tg, lb);
    if (nlb.registry.loadBalancerOf(tg) == null) {
      targets(lb, lb.listenersMutable(), tg);
    }
  }

  private void registered(TargetGroup group, Quotas q) {
    int count = group.registrationsUnlocked().size();
    boolean alb = group.targetType() == TargetType.ALB;
    int limit = alb ? 1 : q.targetsPerTargetGroup();
    if (count > limit) {
      throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("targetGroup[" + group.name() + "].targets", count,
          "at most " + limit + (alb ? " (an alb group holds one endpoint)" : "")));
    }
    LoadBalancer lb = nlb.registry.loadBalancerOf(group);
    if (lb != null) {
      targets(lb, lb.listenersMutable(), group);
      if (alb) {
        albAssociations(group, lb);
      }
    }
  }

  /**
   * The failover counts of a new group's attributes may not exceed the targets a group may hold.
   * (When the attributes of a group are modified, the same bound is part of their validation,
   * whose problems are reported together: see {@link TargetGroup#modifyAttributes}.)
   */
  private void failoverCounts(String path, TargetGroupAttributes attributes, Protocol protocol, TargetType type) {
    List<String> problems = new ArrayList<>();
    // Every other rule of resolve() was checked when the attributes were accepted; only the bound
    // that depends on the quota can add a problem here.
    attributes.resolve(path, protocol, type, nlb.quotas.targetsPerTargetGroup(), problems);
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
    }
  }

  /** One ALB endpoint may sit behind at most {@link Quotas#loadBalancersPerAlbEndpoint()} load balancers. */
  private void albAssociations(TargetGroup tg, LoadBalancer lb) {
    for (RegisteredTarget r : tg.registrationsUnlocked()) {
      String endpoint = r.albEndpoint();
      if (endpoint == null) {
        continue;
      }
      Set<LoadBalancer> lbs = new HashSet<>();
      lbs.add(lb);
      for (TargetGroup other : nlb.registry.targetGroups().values()) {
        if (other == tg) {
          continue;
        }
        for (RegisteredTarget o : other.registrationsUnlocked()) {
          LoadBalancer olb = nlb.registry.loadBalancerOf(other);
          if (endpoint.equals(o.albEndpoint()) && olb != null) {
            lbs.add(olb);
          }
        }
      }
      if (lbs.size() > nlb.quotas.loadBalancersPerAlbEndpoint()) {
        throw new NlbException(ErrorCode.TOO_MANY_REGISTRATIONS_FOR_TARGET_ID, Check.message("albEndpoint", endpoint,
            "an endpoint behind at most " + nlb.quotas.loadBalancersPerAlbEndpoint() + " load balancers"));
      }
    }
  }

  /**
   * The per-load-balancer and per-zone target quotas of {@code lb} with the groups of {@code
   * attached} and {@code extra}. A target in N groups counts N times; an ALB endpoint counts as 50
   * targets per zone (100 with cross-zone on).
   */
  private void targets(LoadBalancer lb, Collection<Listener> attached, @Nullable TargetGroup extra) {
    Set<TargetGroup> groups = new HashSet<>();
    for (Listener l : attached) {
      TargetGroup g = nlb.registry.targetGroups().get(l.configUnlocked().targetGroup());
      if (g != null) {
        groups.add(g);
      }
    }
    if (extra != null) {
      groups.add(extra);
    }
    int total = 0;
    Map<String, Integer> perZone = new LinkedHashMap<>();
    for (TargetGroup g : groups) {
      boolean crossZone = g.attributesUnlocked().crossZone().effective(lb.attributesUnlocked().crossZoneEnabled());
      for (RegisteredTarget r : g.registrationsUnlocked()) {
        total += 1;
        if (r.isAlb()) {
          for (Zone z : lb.zonesUnlocked()) {
            perZone.merge(z.name(), crossZone ? 100 : 50, Integer::sum);
          }
          continue;
        }
        String zone = r.zoneIn(lb);
        if (zone != null) {
          perZone.merge(zone, 1, Integer::sum);
        }
      }
    }
    Quotas q = nlb.quotas;
    if (total > q.targetsPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("loadBalancer[" + lb.name() + "].targets", total,
          "at most " + q.targetsPerLoadBalancer() + " (a target in N groups counts N times)"));
    }
    for (Map.Entry<String, Integer> e : perZone.entrySet()) {
      if (e.getValue() > q.targetsPerZonePerLoadBalancer()) {
        throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("loadBalancer[" + lb.name() + "].zone[" + e.getKey() + "].targets",
            e.getValue(), "at most " + q.targetsPerZonePerLoadBalancer() + " (a target in N groups counts N times; an ALB 50, or 100 with cross-zone on)"));
      }
    }
  }
}
