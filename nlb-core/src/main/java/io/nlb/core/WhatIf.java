package io.nlb.core;

import io.nlb.core.routing.FlowKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The answers of {@link LoadBalancer#whatIf}: which target a flow would reach, read from a
 * published snapshot exactly as the data plane reads it. Stateless.
 */
final class WhatIf {
  private WhatIf() {}

  /** See {@link LoadBalancer#whatIf(String, FlowKey)}. */
  static RouteDecision decide(RoutingSnapshot s, String name, String zone, FlowKey key) {
    int zi = s.zoneIndex(zone);
    if (zi < 0) {
      return new RouteDecision(RouteDecision.Outcome.NO_NODE, null, null, 0,
          "zone " + zone + " is not enabled for " + name + " (enabled: " + s.zones().stream().map(Zone::name).toList() + ")");
    }
    ListenerRoute l = s.listener(key.protocol(), key.dstPort());
    if (l == null) {
      return new RouteDecision(RouteDecision.Outcome.NO_LISTENER, null, null, 0,
          "no listener takes " + key.protocol() + " on port " + key.dstPort());
    }
    NodeRoute node = l.node(zi);
    long hash = node.sticky() ? key.sourceHash(s.flowHashSeed()) : key.hash(s.flowHashSeed());
    RouteTarget t = node.select(hash);
    if (t == null) {
      return new RouteDecision(RouteDecision.Outcome.NO_TARGET, null, null, hash,
          "the node of " + zone + " has no target in scope for " + l.targetGroup());
    }
    InetSocketAddress address = t.address(hash);
    if (node.mode() == NodeRoute.Mode.FAIL_OPEN) {
      return new RouteDecision(RouteDecision.Outcome.ROUTED_FAIL_OPEN, t, address, hash,
          "healthy targets (" + node.healthyCount() + " of " + node.targets().size() + ") are below the group's threshold; the node routes to all targets");
    }
    return new RouteDecision(RouteDecision.Outcome.ROUTED, t, address, hash, "routed to a healthy target of " + l.targetGroup());
  }

  /** See {@link LoadBalancer#whatIf(FlowKey)}. */
  static RouteDecision decide(RoutingSnapshot s, String name, FlowKey key) {
    InetAddress dst = key.dstAddress();
    for (Zone z : s.zones()) {
      if (z.addresses().contains(dst)) {
        return decide(s, name, z.name(), key);
      }
    }
    return new RouteDecision(RouteDecision.Outcome.NO_NODE, null, null, 0, "no node of " + name + " has address " + dst.getHostAddress());
  }
}
