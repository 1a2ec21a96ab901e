package io.nlb.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * Which nodes answer for a load balancer's DNS name (guide, "Target group health": DNS failover,
 * and "Zonal shift"): the serving ones; when none serves, the unhealthy ones (fail open). Nodes
 * shifted away or gone never answer. A pure function.
 */
final class Answers {
  private Answers() {}

  static List<DnsNode> select(List<DnsNode> nodes) {
    List<DnsNode> serving = new ArrayList<>(nodes.size());
    List<DnsNode> unhealthy = new ArrayList<>(nodes.size());
    for (DnsNode n : nodes) {
      if (n.state() == NodeState.SERVING) {
        serving.add(n);
      } else if (n.state() == NodeState.UNHEALTHY) {
        unhealthy.add(n);
      }
    }
    return serving.isEmpty() ? unhealthy : serving;
  }
}
