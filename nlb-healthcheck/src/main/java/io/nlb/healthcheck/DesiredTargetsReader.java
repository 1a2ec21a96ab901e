package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.Listener;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthState;
import io.nlb.core.Zone;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link DesiredTargets} by reading the public API of an {@link Nlb}. The engine calls it
 * at start and when the control plane reports that the target set may have changed ({@link
 * Nlb#addTargetSetListener}); never on a timer.
 *
 * <p>A target is wanted when its group is used by a listener of a load balancer with enabled zones
 * and the core does not report it {@code unused}; draining targets stay wanted until they are
 * removed. Stateless and thread-safe.
 */
final class DesiredTargetsReader {
  private DesiredTargetsReader() {}

  /** What {@code nlb} wants checked now, with {@code consensus} deciding which nodes check. */
  static DesiredTargets read(Nlb nlb, Consensus consensus) {
    Map<Long, DesiredTargets.Entry> wanted = new LinkedHashMap<>();
    for (LoadBalancer lb : nlb.loadBalancers()) {
      List<Zone> zones = lb.zones();
      if (zones.isEmpty()) {
        continue;
      }
      // One Host header port per group: the lowest listener port forwarding to it.
      Map<String, Integer> listenerPort = new LinkedHashMap<>();
      for (Listener l : lb.listeners()) {
        listenerPort.merge(l.config().targetGroup(), l.config().port(), Math::min);
      }
      for (Map.Entry<String, Integer> e : listenerPort.entrySet()) {
        TargetGroup group = nlb.targetGroup(e.getKey()).orElse(null);
        if (group != null) {
          addGroup(wanted, group, zones, e.getValue(), consensus);
        }
      }
    }
    return new DesiredTargets(new ArrayList<>(wanted.values()));
  }

  private static void addGroup(Map<Long, DesiredTargets.Entry> wanted, TargetGroup group, List<Zone> zones,
      int listenerPort, Consensus consensus) {
    HealthCheck settings = group.healthCheck();
    Map<TargetKey, RegisteredTarget> byKey = new HashMap<>();
    for (RegisteredTarget r : group.registeredTargets()) {
      byKey.put(TargetKey.of(r), r);
    }
    for (TargetHealthDescription d : group.describeTargetHealth()) {
      if (d.health().state() == TargetHealthState.UNUSED) {
        continue;
      }
      Target shown = d.target();
      RegisteredTarget r = byKey.get(TargetKey.of(shown, group.port()));
      if (r == null) {
        continue;
      }
      String zone = shown.zone().orElse(null);
      List<CheckNode> nodes = new ArrayList<>();
      for (Zone z : zones) {
        boolean checks = consensus == Consensus.MAJORITY || (r.isAlb() ? z == zones.get(0) : z.name().equals(zone));
        if (checks) {
          nodes.add(new CheckNode(z.name(), hostHeader(z, listenerPort)));
        }
      }
      if (!nodes.isEmpty()) {
        wanted.put(r.registrationId(), new DesiredTargets.Entry(group, r, zone, settings, nodes)); // the last load balancer wins
      }
    }
  }

  static String hostHeader(Zone zone, int listenerPort) {
    InetAddress a = zone.ipv4Address().orElse(zone.addresses().get(0));
    String literal = a.getHostAddress();
    return (a instanceof Inet6Address ? "[" + literal + "]" : literal) + ":" + listenerPort;
  }
}
