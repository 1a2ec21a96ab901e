package io.nlb.healthcheck;

import io.nlb.core.Nlb;
import io.nlb.core.TargetSet;
import io.nlb.core.Zone;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives {@link DesiredTargets} from the {@link TargetSet} the control plane delivers ({@link
 * Nlb#addTargetSetListener(io.nlb.core.TargetSetListener)}): which nodes check each target, and
 * the Host header of their HTTP checks. Reads nothing else: no call to the {@link Nlb}.
 *
 * <p>The set holds the targets the core does not report {@code unused}, draining ones included
 * (they stay checked until they are removed). Stateless and thread-safe.
 */
final class DesiredTargetsReader {
  private DesiredTargetsReader() {}

  /** What {@code set} asks to check, with {@code consensus} deciding which nodes check. */
  static DesiredTargets from(TargetSet set, Consensus consensus) {
    Map<Long, DesiredTargets.Entry> wanted = new LinkedHashMap<>();
    for (TargetSet.Use use : set.uses()) {
      List<Zone> zones = use.zones();
      for (TargetSet.Member m : use.members()) {
        List<CheckNode> nodes = new ArrayList<>();
        for (Zone z : zones) {
          boolean checks = consensus == Consensus.MAJORITY || (m.alb() ? z == zones.get(0) : z.name().equals(m.zone()));
          if (checks) {
            nodes.add(new CheckNode(z.name(), hostHeader(z, use.listenerPort())));
          }
        }
        if (!nodes.isEmpty()) {
          wanted.put(m.registrationId(), new DesiredTargets.Entry(use, m, nodes)); // the last load balancer wins
        }
      }
    }
    return new DesiredTargets(new ArrayList<>(wanted.values()));
  }

  static String hostHeader(Zone zone, int listenerPort) {
    InetAddress a = zone.ipv4Address().orElse(zone.addresses().get(0));
    String literal = a.getHostAddress();
    return (a instanceof Inet6Address ? "[" + literal + "]" : literal) + ":" + listenerPort;
  }
}
