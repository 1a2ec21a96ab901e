package io.nlb.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link TargetSet} of an {@link Nlb} from its registry: what its target-set listeners
 * are told.
 *
 * <p>Control plane only.
 */
final class TargetSets {
  private TargetSets() {}

  static TargetSet build(Registry registry) {
    List<TargetSet.Use> uses = new ArrayList<>();
    for (LoadBalancer lb : registry.loadBalancers().values()) {
      List<Zone> zones = lb.zonesUnlocked();
      if (zones.isEmpty()) {
        continue;
      }
      // One Host header port per group: the lowest listener port forwarding to it.
      Map<String, Integer> listenerPort = new LinkedHashMap<>();
      for (Listener l : lb.listenersMutable()) {
        listenerPort.merge(l.configUnlocked().targetGroup(), l.configUnlocked().port(), Math::min);
      }
      for (Map.Entry<String, Integer> e : listenerPort.entrySet()) {
        TargetGroup tg = registry.targetGroups().get(e.getKey());
        if (tg != null) {
          uses.add(new TargetSet.Use(lb.resourceId(), zones, tg.resourceId(), e.getValue(), tg.healthCheckUnlocked(),
              tg.attributesUnlocked().proxyProtocolV2(), members(tg)));
        }
      }
    }
    return new TargetSet(uses);
  }

  private static List<TargetSet.Member> members(TargetGroup tg) {
    List<TargetSet.Member> out = new ArrayList<>();
    for (RegisteredTarget r : tg.registrations.all()) {
      TargetHealthDescription d = tg.registrations.describe(r);
      if (d.health().state() == TargetHealthState.UNUSED) {
        continue;
      }
      InetSocketAddress a = r.address();
      out.add(new TargetSet.Member(r.registrationId(), d.target(), r.port(), d.target().zone().orElse(null),
          a != null ? List.of(a) : r.albAddresses(), r.health(), r.isDraining(), r.isAlb()));
    }
    return out;
  }
}
