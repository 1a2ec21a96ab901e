package io.nlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The admission checks of one {@link Nlb}: whether a listener configuration fits its load
 * balancer (duplicates, listener and certificate quotas, protocol compatibility with its target
 * group, associations) and whether registrations fit the target quotas per load balancer, per zone
 * and per ALB endpoint. Each refusal is an {@link NlbException} naming the path, the value and what
 * is allowed.
 *
 * <p>Not thread-safe: called from control-plane commands only.
 */
final class Admission {
  private final Nlb nlb;

  Admission(Nlb nlb) {
    this.nlb = nlb;
  }

  /**
   * Checks that {@code config} may become {@code listener}'s configuration on {@code lb}, given
   * the other listeners {@code others} (those of {@code lb} that stay, plus any planned with it).
   */
  void checkListener(LoadBalancer lb, Listener listener, ListenerConfig config, Collection<Listener> others) {
    String path = config.path();
    List<String> duplicate = new ArrayList<>();
    List<String> incompatible = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Listener> all = new ArrayList<>(others);
    for (Listener o : lb.listenersMutable()) {
      if (o != listener && !all.contains(o)) {
        all.add(o);
      }
    }
    all.remove(listener);
    for (Listener o : all) {
      if (LoadBalancerConfig.clash(o.configUnlocked(), config)) {
        duplicate.add(Check.message(path, config.protocol() + ":" + config.port(),
            "a port not used by " + o.configUnlocked().path() + " for the same transport protocol"));
      }
    }
    if (!duplicate.isEmpty()) {
      throw new NlbException(ErrorCode.DUPLICATE_LISTENER, duplicate);
    }
    if (all.size() + 1 > nlb.quotas().listenersPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_LISTENERS,
          Check.message("loadBalancer[" + lb.name() + "].listeners", all.size() + 1, "at most " + nlb.quotas().listenersPerLoadBalancer()));
    }
    List<String> unsupported = new ArrayList<>();
    LoadBalancerConfig.checkListenerFits(config, lb.ipAddressTypeUnlocked(), unsupported);
    if (!unsupported.isEmpty()) {
      throw new NlbException(ErrorCode.UNSUPPORTED_PROTOCOL, unsupported);
    }
    int certificates = config.certificateCount();
    for (Listener o : all) {
      certificates += o.configUnlocked().certificateCount();
    }
    if (certificates > nlb.quotas().certificatesPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_CERTIFICATES,
          Check.message(path + ".certificates", certificates + " on the load balancer", "at most " + nlb.quotas().certificatesPerLoadBalancer()));
    }
    TargetGroup tg = nlb.registry.requireTargetGroup(path + ".defaultAction.targetGroup", config.targetGroup());
    LoadBalancerConfig.checkGroupFits(config, tg.protocol(), lb.ipAddressTypeUnlocked(), unsupported);
    if (!unsupported.isEmpty()) {
      throw new NlbException(ErrorCode.UNSUPPORTED_PROTOCOL, unsupported);
    }
    LoadBalancer owner = nlb.registry.loadBalancerOf(tg);
    if (owner != null && owner != lb) {
      throw new NlbException(ErrorCode.TARGET_GROUP_ASSOCIATION_LIMIT, Check.message(path + ".defaultAction.targetGroup",
          tg.name(), "a target group not used by another load balancer (used by " + owner.name() + ")"));
    }
    checkCompatible(path, config.protocol(), tg, incompatible);
    if (!incompatible.isEmpty()) {
      throw new NlbException(ErrorCode.INCOMPATIBLE_PROTOCOLS, incompatible);
    }
    if (tg.ipAddressType() == IpAddressType.IPV6 && lb.ipAddressTypeUnlocked() != IpAddressType.DUALSTACK) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name(), "an ipv4 target group; ipv6 groups need a dualstack load balancer"));
    }
    if (config.protocol() == Protocol.TLS && tg.attributesUnlocked().stickiness()) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name(),
          "a group without stickiness; sticky sessions are not supported with TLS listeners"));
    }
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.INVALID_CONFIGURATION_REQUEST, problems);
    }
    // Cross-zone load balancing and zonal shift exclude each other (startZonalShift and both
    // modifyAttributes refuse it); attaching a group that turns cross-zone on must too.
    ZonalShift shift = lb.zonalShiftUnlocked();
    if (shift != null && tg.attributesUnlocked().crossZone() == CrossZone.ENABLED) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(path + ".defaultAction.targetGroup", tg.name(),
          "a group without " + TargetGroupAttributes.CROSS_ZONE + " true while a zonal shift is active (away from " + shift.zone() + ")"));
    }
    checkAlbAssociations(tg, lb);
    if (owner == null) {
      checkTargetQuotas(lb, tg, tg.registrationsUnlocked());
    }
  }

  /** The documented table of listener protocol x target group protocol x target type. */
  static void checkCompatible(String path, Protocol listener, TargetGroup tg, List<String> problems) {
    Protocol g = tg.protocol();
    TargetType type = tg.targetType();
    boolean ok;
    String expected;
    switch (listener) {
      case TCP:
        ok = type == TargetType.ALB ? g == Protocol.TCP : (g == Protocol.TCP || g == Protocol.TCP_UDP);
        expected = "a TCP or TCP_UDP group (TCP for alb groups)";
        break;
      case TLS:
        ok = type != TargetType.ALB && (g == Protocol.TCP || g == Protocol.TLS);
        expected = "a TCP or TLS group of instance or ip targets";
        break;
      case UDP:
        ok = type != TargetType.ALB && (g == Protocol.UDP || g == Protocol.TCP_UDP);
        expected = "a UDP or TCP_UDP group of instance or ip targets";
        break;
      default:
        ok = type != TargetType.ALB && g == Protocol.TCP_UDP;
        expected = "a TCP_UDP group of instance or ip targets";
        break;
    }
    if (!ok) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name() + " (" + g + ", " + type + ")",
          expected + " for a " + listener + " listener"));
    }
  }

  /** One ALB endpoint may sit behind at most {@link Quotas#loadBalancersPerAlbEndpoint()} load balancers. */
  void checkAlbAssociations(TargetGroup tg, @Nullable LoadBalancer lb) {
    if (lb == null) {
      return;
    }
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
      if (lbs.size() > nlb.quotas().loadBalancersPerAlbEndpoint()) {
        throw new NlbException(ErrorCode.TOO_MANY_REGISTRATIONS_FOR_TARGET_ID, Check.message("albEndpoint", endpoint,
            "an endpoint behind at most " + nlb.quotas().loadBalancersPerAlbEndpoint() + " load balancers"));
      }
    }
  }

  /**
   * Checks the per-load-balancer and per-zone target quotas as if {@code tg} held {@code
   * registrations}. A target in N groups counts N times; an ALB endpoint counts as 50 targets per
   * zone (100 with cross-zone on).
   */
  void checkTargetQuotas(LoadBalancer lb, TargetGroup tg, Collection<RegisteredTarget> registrations) {
    Set<TargetGroup> groups = new HashSet<>();
    for (Listener l : lb.listenersMutable()) {
      TargetGroup g = nlb.registry.targetGroups().get(l.configUnlocked().targetGroup());
      if (g != null) {
        groups.add(g);
      }
    }
    groups.add(tg);
    int total = 0;
    Map<String, Integer> perZone = new LinkedHashMap<>();
    for (TargetGroup g : groups) {
      Collection<RegisteredTarget> regs = g == tg ? registrations : g.registrationsUnlocked();
      boolean crossZone = g.attributesUnlocked().crossZone().effective(lb.attributesUnlocked().crossZoneEnabled());
      for (RegisteredTarget r : regs) {
        if (r.isAlb()) {
          total += 1;
          for (Zone z : lb.zonesUnlocked()) {
            perZone.merge(z.name(), crossZone ? 100 : 50, Integer::sum);
          }
          continue;
        }
        total += 1;
        String zone = r.zoneIn(lb);
        if (zone != null) {
          perZone.merge(zone, 1, Integer::sum);
        }
      }
    }
    if (total > nlb.quotas().targetsPerLoadBalancer()) {
      throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("loadBalancer[" + lb.name() + "].targets", total,
          "at most " + nlb.quotas().targetsPerLoadBalancer() + " (a target in N groups counts N times)"));
    }
    for (Map.Entry<String, Integer> e : perZone.entrySet()) {
      if (e.getValue() > nlb.quotas().targetsPerZonePerLoadBalancer()) {
        throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("loadBalancer[" + lb.name() + "].zone[" + e.getKey() + "].targets",
            e.getValue(), "at most " + nlb.quotas().targetsPerZonePerLoadBalancer() + " (a target in N groups counts N times; an ALB 50, or 100 with cross-zone on)"));
      }
    }
  }
}
