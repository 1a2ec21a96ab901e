package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Target group health: the seed's worked example with its exact outcomes, DNS failover and routing
 * failover by count and percentage, and the default thresholds.
 */
class TargetGroupHealthTest {
  private static final int FLOWS = 2000;
  private final ManualScheduler time = new ManualScheduler();

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> ids(List<Target> targets) {
    Set<String> out = new HashSet<>();
    targets.forEach(t -> out.add(t.id()));
    return out;
  }

  private static Set<String> reached(LoadBalancer lb, String zone) {
    Set<String> out = new HashSet<>();
    String node = zone.equals("zone-a") ? "127.0.0.1" : "127.0.0.2";
    for (int i = 0; i < FLOWS; i++) {
      lb.whatIf(zone, Fixtures.flow(1 + i % 250, 1024 + i, i, node)).target().ifPresent(t -> out.add(t.id()));
    }
    return out;
  }

  /** The seed's scenario: two zones of 10 targets each, DNS and routing failover at 50 %, six targets of zone B failed. */
  private static TargetGroup scenario(Nlb nlb, List<Target> a, List<Target> b) {
    TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
        .attribute(TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, "50")
        .attribute(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50")
        .build());
    g.registerTargets(a);
    g.registerTargets(b);
    Fixtures.healthy(g, a);
    Fixtures.healthy(g, b);
    Fixtures.unhealthy(g, b.subList(0, 6));
    return g;
  }

  @Test
  void seedExample_crossZoneOff_zoneAHealthyZoneBFailsOpenAndLeavesDns() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      List<Target> a = Fixtures.targets(1, 10);
      List<Target> b = Fixtures.targets(2, 10);
      scenario(nlb, a, b);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");

      // Zone A: 10 healthy of 10 meets 50 %; the node distributes among its 10 healthy targets.
      NodeRoute nodeA = Fixtures.node(lb, "zone-a");
      assertThat(nodeA.mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      assertThat(nodeA.targets()).hasSize(10);
      assertThat(nodeA.healthyCount()).isEqualTo(10);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));

      // Zone B: 4 healthy of 10 = 40 % < 50 %: routing failover sends to all 10, unhealthy included.
      NodeRoute nodeB = Fixtures.node(lb, "zone-b");
      assertThat(nodeB.mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
      assertThat(nodeB.targets()).hasSize(10);
      assertThat(nodeB.healthyCount()).isEqualTo(4);
      Set<String> viaB = reached(lb, "zone-b");
      assertThat(viaB).isEqualTo(ids(b));
      assertThat(viaB).containsAll(ids(b.subList(0, 6)));
      assertThat(lb.whatIf("zone-b", Fixtures.flow(1, 2000, 1, "127.0.0.2")).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED_FAIL_OPEN);

      // DNS failover: zone B is marked unhealthy; clients resolve only zone A's node.
      DnsRecords dns = lb.dnsRecords();
      assertThat(dns.name()).isEqualTo(lb.dnsName());
      assertThat(dns.zones()).containsExactly("zone-a");
      assertThat(dns.addresses()).containsExactly(addr("127.0.0.1"));
      assertThat(dns.a()).containsExactly(addr("127.0.0.1"));
      assertThat(dns.aaaa()).isEmpty();
    }
  }

  @Test
  void seedExample_crossZoneOn_fourteenOfTwentyIsSeventyPercentBothZonesHealthy() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      List<Target> a = Fixtures.targets(1, 10);
      List<Target> b = Fixtures.targets(2, 10);
      scenario(nlb, a, b);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));

      Set<String> healthy = ids(a);
      healthy.addAll(ids(b.subList(6, 10)));
      assertThat(healthy).hasSize(14);
      for (String zone : List.of("zone-a", "zone-b")) {
        NodeRoute node = Fixtures.node(lb, zone);
        assertThat(node.targets()).hasSize(20);
        assertThat(node.healthyCount()).isEqualTo(14);
        assertThat(node.mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
        assertThat(reached(lb, zone)).isEqualTo(healthy);
      }
      DnsRecords dns = lb.dnsRecords();
      assertThat(dns.zones()).containsExactly("zone-a", "zone-b");
      assertThat(dns.addresses()).containsExactly(addr("127.0.0.1"), addr("127.0.0.2"));
    }
  }

  @Test
  void dnsFailover_allZonesUnhealthy_returnsAllZones() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      List<Target> a = Fixtures.targets(1, 4);
      List<Target> b = Fixtures.targets(2, 4);
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
          .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "3").build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a.subList(0, 2));
      Fixtures.healthy(g, b.subList(0, 2));
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
      Fixtures.healthy(g, a.subList(2, 3));
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
    }
  }

  @Test
  void dnsFailover_defaultThresholds_zoneWithoutHealthyTargetIsLeftOut() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 2);
      List<Target> b = Fixtures.targets(2, 2);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.unhealthy(g, b);
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
      assertThat(lb.dnsRecords().addresses()).containsExactly(addr("127.0.0.1"));
      Fixtures.healthy(g, b.subList(0, 1));
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
    }
  }

  @Test
  void dnsFailover_defaultThresholds_zoneWithoutTargetsIsLeftOut() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.2.1"));
      g.reportHealth(Target.ip("10.0.2.1"), TargetHealth.healthy());
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-b");
    }
  }

  @Test
  void dnsFailover_noTargetsAnywhere_returnsAllZones() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
    }
  }

  @Test
  void dnsFailover_countOrPercentage_eitherBreachTakesZoneOut() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
          .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "2")
          .attribute(TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, "60").build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 2);
      List<Target> b = Fixtures.targets(2, 5);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.healthy(g, b.subList(0, 2)); // count 2 met, 40 % below 60 %
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
      Fixtures.healthy(g, b.subList(2, 3)); // 3 of 5 = 60 %
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
      g.reportHealth(a.get(0), TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS)); // A: count 1 < 2
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-b");
    }
  }

  @Test
  void dnsFailover_anyGroupOfTheLoadBalancerBelowThreshold_takesZoneOut() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.createListener(Fixtures.tcp(81, "h"));
      g.registerTargets(Target.ip("10.0.1.1"), Target.ip("10.0.2.1"));
      h.registerTargets(Target.ip("10.0.1.2"), Target.ip("10.0.2.2"));
      Fixtures.healthy(g, List.of(Target.ip("10.0.1.1"), Target.ip("10.0.2.1")));
      Fixtures.healthy(h, List.of(Target.ip("10.0.1.2")));
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
    }
  }

  @Test
  void routingFailover_count_failsOpenBelowCount() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
          .attribute(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "3").build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 5);
      g.registerTargets(a);
      Fixtures.healthy(g, a.subList(0, 2));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
      Fixtures.healthy(g, a.subList(2, 3));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a.subList(0, 3)));
    }
  }

  @Test
  void routingFailover_percentage_exactThresholdStaysHealthy() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
          .attribute(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50").build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      g.registerTargets(a);
      Fixtures.healthy(g, a.subList(0, 2));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      Fixtures.unhealthy(g, a.subList(0, 1));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
    }
  }

  @Test
  void thresholds_modifiedLater_applyAtOnce() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      g.registerTargets(a);
      Fixtures.healthy(g, a.subList(0, 1));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      g.modifyAttributes(Map.of(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50"));
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
    }
  }
}
