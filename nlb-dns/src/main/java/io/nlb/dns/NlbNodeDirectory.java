package io.nlb.dns;

import io.nlb.core.DnsRecords;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerState;
import io.nlb.core.Nlb;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.ZonalShift;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiPredicate;

/** {@link NodeDirectory#of(Nlb, BiPredicate)}: the load balancers of one process. */
final class NlbNodeDirectory implements NodeDirectory {
  private final Nlb nlb;
  private final BiPredicate<LoadBalancer, String> present;

  NlbNodeDirectory(Nlb nlb, BiPredicate<LoadBalancer, String> present) {
    this.nlb = nlb;
    this.present = present;
  }

  @Override
  public Optional<List<DnsNode>> nodes(String dnsName) {
    for (LoadBalancer lb : nlb.loadBalancers()) {
      if (lb.state() == LoadBalancerState.DELETED || !lb.dnsName().toLowerCase(Locale.ROOT).equals(dnsName)) {
        continue;
      }
      RoutingSnapshot s = lb.routingSnapshot();
      DnsRecords dns = s.dns();
      String shifted = s.zonalShift().map(ZonalShift::zone).orElse(null);
      List<DnsNode> out = new ArrayList<>(dns.zoneRecords().size());
      for (DnsRecords.ZoneRecord z : dns.zoneRecords()) {
        NodeState state;
        if (!present.test(lb, z.zone())) {
          state = NodeState.GONE;
        } else if (z.zone().equals(shifted)) {
          state = NodeState.SHIFTED_AWAY;
        } else if (dns.zones().contains(z.zone())) {
          state = NodeState.SERVING;
        } else {
          state = NodeState.UNHEALTHY;
        }
        out.add(new DnsNode(z.zone(), z.addresses(), state));
      }
      return Optional.of(out);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "NodeDirectory.of(" + nlb + ")";
  }
}
