package io.nlb.core;

import io.nlb.core.internal.TargetSelector;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link RoutingSnapshot}s of one load balancer from its live state: the scope of each
 * node (zones, cross-zone, zonal shift, draining), frozen {@link RouteTarget} values, fail-open
 * decided per node, Maglev selectors reused when only eligibility changed, the DNS answer, and the
 * targets that have left their groups since the previous snapshot. A health change rebuilds only
 * the node routes that hold the target ({@link #rebuildForHealth}).
 *
 * <p>Not thread-safe: used by the control plane only.
 */
final class SnapshotBuilder {
  private final Nlb nlb;
  private final LoadBalancer lb;
  private long version;
  /**
   * The registrations the last snapshot routed to (in scope or draining), by registration id, so the
   * next one can name those that have left their group since ({@link RoutingSnapshot#removed()}).
   */
  private Map<Long, RegisteredTarget> routed = new HashMap<>();
  /** Selectors of the last snapshot by scope, so a health change reuses the primary table. */
  private Map<String, TargetSelector> selectors = new HashMap<>();

  SnapshotBuilder(Nlb nlb, LoadBalancer lb) {
    this.nlb = nlb;
    this.lb = lb;
  }

  /**
   * The snapshot after the health of {@code changed} (targets of {@code tg}) changed: only the node
   * routes that hold one of them are rebuilt; every other route of {@code prev} is kept as the same
   * value. The DNS answer is recomputed.
   */
  RoutingSnapshot rebuildForHealth(RoutingSnapshot prev, TargetGroup tg, List<RegisteredTarget> changed) {
    nowRouted = new HashMap<>(routed);
    Map<String, TargetSelector> cache = new HashMap<>();
    List<ListenerRoute> routes = new ArrayList<>();
    Map<String, TargetGroup> groups = new LinkedHashMap<>();
    for (Listener l : lb.listenersMutable()) {
      groups.computeIfAbsent(l.configUnlocked().targetGroup(), n -> nlb.registry.requireTargetGroup("targetGroup", n));
    }
    for (ListenerRoute l : prev.listeners()) {
      if (!l.targetGroup().equals(tg.name())) {
        routes.add(l);
        continue;
      }
      NodeRoute[] nodes = new NodeRoute[l.nodes().size()];
      boolean rebuilt = false;
      for (int i = 0; i < nodes.length; i++) {
        NodeRoute n = l.node(i);
        if (holdsAny(n, changed)) {
          n = nodeRoute(tg, n.zone(), cache);
          rebuilt = true;
        }
        nodes[i] = n;
      }
      routes.add(rebuilt ? new ListenerRoute(l.listenerId(), l.listenerResourceId(), l.config(), l.targetGroup(), l.targetProtocol(),
          l.groupAttributes(), List.of(nodes)) : l);
    }
    Map<String, TargetSelector> merged = new HashMap<>(selectors);
    merged.putAll(cache);
    selectors = merged;
    routed = nowRouted;
    nowRouted = new HashMap<>();
    return new RoutingSnapshot(++version, nlb.flowHashSeed, lb.zonesUnlocked(), routes, dns(groups.values()), lb.zonalShiftUnlocked(),
        List.of());
  }

  private static boolean holdsAny(NodeRoute n, List<RegisteredTarget> targets) {
    for (RegisteredTarget r : targets) {
      if (n.target(r.registrationId()) != null) {
        return true;
      }
    }
    return false;
  }

  /** The registrations the snapshot being built routes to; becomes {@link #routed}. */
  private Map<Long, RegisteredTarget> nowRouted = new HashMap<>();

  /** A new snapshot of the load balancer as it is now. */
  RoutingSnapshot build() {
    nowRouted = new HashMap<>();
    Map<String, TargetSelector> cache = new HashMap<>();
    List<ListenerRoute> routes = new ArrayList<>();
    Map<String, TargetGroup> groups = new LinkedHashMap<>();
    for (Listener l : lb.listenersMutable()) {
      TargetGroup tg = nlb.registry.requireTargetGroup("targetGroup", l.configUnlocked().targetGroup());
      groups.put(tg.name(), tg);
      List<Zone> zones = lb.zonesUnlocked();
      NodeRoute[] nodes = new NodeRoute[zones.size()];
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = nodeRoute(tg, zones.get(i).name(), cache);
      }
      routes.add(new ListenerRoute(l.id(), l.resourceId(), l.configUnlocked(), tg.name(), tg.protocol(), tg.attributesUnlocked(),
          List.of(nodes)));
    }
    selectors = cache;
    List<RouteTarget> removed = new ArrayList<>();
    for (RegisteredTarget r : routed.values()) {
      if (r.isRemoved() && !nowRouted.containsKey(r.registrationId())) {
        removed.add(RouteTarget.of(r, r.isAlb() ? null : r.zoneIn(lb)));
      }
    }
    routed = nowRouted;
    nowRouted = new HashMap<>();
    return new RoutingSnapshot(++version, nlb.flowHashSeed, lb.zonesUnlocked(), routes, dns(groups.values()), lb.zonalShiftUnlocked(),
        removed);
  }

  /**
   * The targets of {@code tg} in the scope of the node of {@code zone}, in stable order: those it
   * may route to, or with {@code draining} the deregistering ones it would route to otherwise.
   */
  List<RegisteredTarget> scope(TargetGroup tg, String zone, boolean draining) {
    boolean crossZone = tg.attributesUnlocked().crossZone().effective(lb.attributesUnlocked().crossZoneEnabled());
    ZonalShift zonalShift = lb.zonalShiftUnlocked();
    String shifted = zonalShift == null ? null : zonalShift.zone();
    List<RegisteredTarget> out = new ArrayList<>();
    for (RegisteredTarget r : tg.registrationsUnlocked()) {
      if (r.isDraining() != draining || r.isRemoved() || !lb.routing.usable(r)) {
        continue;
      }
      if (r.isAlb()) {
        out.add(r);
        continue;
      }
      String z = r.zoneIn(lb);
      if (z == null) {
        lb.unzoned.warnOnce(r, lb.zonesUnlocked());
        continue;
      }
      if (!lb.routing.enabled(z)) {
        continue;
      }
      boolean include;
      if (zone.equals(shifted)) {
        include = !z.equals(shifted);
      } else if (crossZone) {
        include = !z.equals(shifted);
      } else {
        include = z.equals(zone);
      }
      if (include) {
        out.add(r);
      }
    }
    out.sort((a, b) -> a.stableKey().compareTo(b.stableKey()));
    return out;
  }

  private NodeRoute nodeRoute(TargetGroup tg, String zone, Map<String, TargetSelector> cache) {
    List<RegisteredTarget> scope = scope(tg, zone, false);
    TargetGroupAttributes ga = tg.attributesUnlocked();
    boolean sticky = ga.stickiness();
    RouteTarget[] targets = new RouteTarget[scope.size()];
    List<RegisteredTarget> drainingScope = scope(tg, zone, true);
    RouteTarget[] draining = new RouteTarget[drainingScope.size()];
    for (int i = 0; i < draining.length; i++) {
      RegisteredTarget r = drainingScope.get(i);
      draining[i] = RouteTarget.of(r, r.isAlb() ? null : r.zoneIn(lb));
      nowRouted.put(r.registrationId(), r);
    }
    if (targets.length == 0) {
      return new NodeRoute(zone, targets, draining, null, NodeRoute.Mode.NO_TARGETS, sticky, 0);
    }
    String[] keys = new String[targets.length];
    boolean[] eligible = new boolean[targets.length];
    int healthy = 0;
    for (int i = 0; i < targets.length; i++) {
      RegisteredTarget r = scope.get(i);
      targets[i] = RouteTarget.of(r, r.isAlb() ? null : r.zoneIn(lb));
      nowRouted.put(r.registrationId(), r);
      keys[i] = r.stableKey();
      eligible[i] = targets[i].health().isHealthy();
      if (eligible[i]) {
        healthy++;
      }
    }
    String cacheKey = tg.id() + "|" + String.join(",", keys);
    TargetSelector selector = cache.get(cacheKey);
    if (selector == null) {
      TargetSelector previous = selectors.get(cacheKey);
      selector = previous == null ? TargetSelector.build(keys, eligible, nlb.tableSize) : previous.withEligibility(eligible);
      cache.put(cacheKey, selector);
    }
    boolean failOpen = belowThreshold(healthy, targets.length, ga.routingFailoverMinimumHealthyCount(), ga.routingFailoverMinimumHealthyPercentage());
    return new NodeRoute(zone, targets, draining, selector, failOpen ? NodeRoute.Mode.FAIL_OPEN : NodeRoute.Mode.HEALTHY, sticky,
        healthy);
  }

  static boolean belowThreshold(int healthy, int total, int minCount, java.util.OptionalInt minPercentage) {
    if (healthy < minCount) {
      return true;
    }
    return minPercentage.isPresent() && (long) healthy * 100 < (long) minPercentage.getAsInt() * total;
  }

  private DnsRecords dns(Collection<TargetGroup> groups) {
    ZonalShift zonalShift = lb.zonalShiftUnlocked();
    String shifted = zonalShift == null ? null : zonalShift.zone();
    List<Zone> candidates = new ArrayList<>();
    for (Zone z : lb.zonesUnlocked()) {
      if (!z.name().equals(shifted)) {
        candidates.add(z);
      }
    }
    List<Zone> healthy = new ArrayList<>();
    for (Zone z : candidates) {
      boolean ok = true;
      for (TargetGroup tg : groups) {
        List<RegisteredTarget> scope = scope(tg, z.name(), false);
        int h = 0;
        for (RegisteredTarget r : scope) {
          if (r.health().isHealthy()) {
            h++;
          }
        }
        TargetGroupAttributes ga = tg.attributesUnlocked();
        int minCount = Math.max(1, ga.dnsFailoverMinimumHealthyCount().orElse(1));
        if (belowThreshold(h, scope.size(), minCount, ga.dnsFailoverMinimumHealthyPercentage())) {
          ok = false;
        }
      }
      if (ok) {
        healthy.add(z);
      }
    }
    List<Zone> answer = healthy.isEmpty() ? candidates : healthy;
    List<String> names = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    for (Zone z : answer) {
      names.add(z.name());
      z.ipv4Address().ifPresent(addresses::add);
      if (lb.ipAddressTypeUnlocked() == IpAddressType.DUALSTACK) {
        z.ipv6Address().ifPresent(addresses::add);
      }
    }
    return new DnsRecords(lb.dnsName(), names, addresses, DnsRecords.perZone(lb.dnsName(), lb.zonesUnlocked(),
        lb.ipAddressTypeUnlocked() == IpAddressType.DUALSTACK));
  }
}
