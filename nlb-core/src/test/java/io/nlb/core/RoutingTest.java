package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.internal.TargetSelector;
import io.nlb.core.routing.FlowKey;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Routing through the published snapshot ({@code whatIf}, {@link NodeRoute#mode()}): draining and
 * unhealthy targets, fail-open, cross-zone scope, stickiness, and what a health change rebuilds.
 */
class RoutingTest {
  private static final int FLOWS = 400;
  private final ManualScheduler time = new ManualScheduler();

  private static String target(LoadBalancer lb, String zone, FlowKey key) {
    RouteDecision d = lb.whatIf(zone, key);
    return d.target().map(RouteTarget::id).orElse("none:" + d.outcome());
  }

  private static Set<String> reached(LoadBalancer lb, String zone) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < FLOWS; i++) {
      out.add(target(lb, zone, Fixtures.flow(i)));
    }
    return out;
  }

  private static Set<String> ids(List<Target> targets) {
    Set<String> out = new HashSet<>();
    targets.forEach(t -> out.add(t.id()));
    return out;
  }

  @Test
  void healthyTargets_allReceiveFlows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
      RouteDecision d = lb.whatIf("zone-a", Fixtures.flow(7));
      assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
      assertThat(d.address()).isEqualTo(d.target().map(RouteTarget::address));
    }
  }

  @Test
  void whatIf_byDestinationAddress_findsTheNode() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(2, 2));
      Fixtures.healthy(g, Fixtures.targets(2, 2));
      FlowKey toB = Fixtures.flow(1, 5000, 1, "127.0.0.2");
      assertThat(lb.whatIf(toB).target()).isEqualTo(lb.whatIf("zone-b", toB).target());
      assertThat(lb.whatIf(Fixtures.flow(1, 5000, 1, "127.0.0.9")).outcome()).isEqualTo(RouteDecision.Outcome.NO_NODE);
      assertThat(lb.whatIf("zone-z", toB).outcome()).isEqualTo(RouteDecision.Outcome.NO_NODE);
      FlowKey otherPort = FlowKey.tcp(new InetSocketAddress("192.0.2.1", 5000), new InetSocketAddress("127.0.0.1", 81), 1);
      assertThat(lb.whatIf("zone-a", otherPort).outcome()).isEqualTo(RouteDecision.Outcome.NO_LISTENER);
      assertThat(lb.whatIf("zone-a", toB).outcome()).isEqualTo(RouteDecision.Outcome.NO_TARGET);
      assertThat(Fixtures.node(lb, "zone-a").mode()).isEqualTo(NodeRoute.Mode.NO_TARGETS);
    }
  }

  @Test
  void drainingTarget_getsNoNewFlows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      g.deregisterTargets(a.get(0));
      Set<String> r = reached(lb, "zone-a");
      assertThat(r).doesNotContain(a.get(0).id()).hasSize(3);
      assertThat(Fixtures.node(lb, "zone-a").targets()).hasSize(3);
    }
  }

  @Test
  void unhealthyTarget_getsNoNewFlows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      Fixtures.unhealthy(g, a.subList(0, 2));
      NodeRoute node = Fixtures.node(lb, "zone-a");
      assertThat(node.mode()).isEqualTo(NodeRoute.Mode.HEALTHY);
      assertThat(node.healthyCount()).isEqualTo(2);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a.subList(2, 4)));
    }
  }

  @Test
  void initialTargets_getNoFlowsWhileAnotherIsHealthy() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 3);
      g.registerTargets(a);
      Fixtures.healthy(g, a.subList(0, 1));
      assertThat(reached(lb, "zone-a")).containsExactly(a.get(0).id());
    }
  }

  @Test
  void allUnhealthy_failsOpen() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 3);
      g.registerTargets(a);
      Fixtures.unhealthy(g, a);
      NodeRoute node = Fixtures.node(lb, "zone-a");
      assertThat(node.mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
      assertThat(node.healthyCount()).isZero();
      RouteDecision d = lb.whatIf("zone-a", Fixtures.flow(1));
      assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED_FAIL_OPEN);
      assertThat(d.explanation()).isEqualTo("healthy targets (0 of 3) are below the group's threshold; the node routes to all targets");
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
    }
  }

  @Test
  void crossZoneOff_nodeRoutesToOwnZoneOnly() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 3);
      List<Target> b = Fixtures.targets(2, 3);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.healthy(g, b);
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
      assertThat(reached(lb, "zone-b")).isEqualTo(ids(b));
    }
  }

  @Test
  void crossZoneOn_nodeRoutesToAllZones() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 3);
      List<Target> b = Fixtures.targets(2, 3);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.healthy(g, b);
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      Set<String> all = ids(a);
      all.addAll(ids(b));
      assertThat(reached(lb, "zone-a")).isEqualTo(all);
      assertThat(reached(lb, "zone-b")).isEqualTo(all);
    }
  }

  @Test
  void groupCrossZone_overridesLoadBalancerSetting() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 2);
      List<Target> b = Fixtures.targets(2, 2);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.healthy(g, b);
      Set<String> all = ids(a);
      all.addAll(ids(b));

      g.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      assertThat(reached(lb, "zone-a")).isEqualTo(all);

      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      g.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "false"));
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));

      g.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"));
      assertThat(reached(lb, "zone-a")).isEqualTo(all);
    }
  }

  @Test
  void stickiness_sameSourceAddress_sameTargetWhateverPortAndSequence() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 8);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      g.modifyAttributes(Map.of("stickiness.enabled", "true"));
      assertThat(Fixtures.node(lb, "zone-a").sticky()).isTrue();
      Set<String> perClientTargets = new HashSet<>();
      for (int client = 1; client <= 40; client++) {
        String first = target(lb, "zone-a", Fixtures.flow(client, 1024, 0, "127.0.0.1"));
        for (int i = 1; i < 20; i++) {
          assertThat(target(lb, "zone-a", Fixtures.flow(client, 1024 + i * 17, i * 7919, "127.0.0.1"))).isEqualTo(first);
        }
        perClientTargets.add(first);
      }
      assertThat(perClientTargets).hasSizeGreaterThan(1);
    }
  }

  @Test
  void withoutStickiness_sameSourceAddress_spreadsOverTargets() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 8);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        seen.add(target(lb, "zone-a", Fixtures.flow(1, 1024 + i, i, "127.0.0.1")));
      }
      assertThat(seen).hasSizeGreaterThan(1);
    }
  }

  @Test
  void stickiness_crossZoneOn_sameTargetFromBothNodes() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 4);
      List<Target> b = Fixtures.targets(2, 4);
      g.registerTargets(a);
      g.registerTargets(b);
      Fixtures.healthy(g, a);
      Fixtures.healthy(g, b);
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      g.modifyAttributes(Map.of("stickiness.enabled", "true"));
      for (int client = 1; client <= 50; client++) {
        String viaA = target(lb, "zone-a", Fixtures.flow(client, 2000, 1, "127.0.0.1"));
        String viaB = target(lb, "zone-b", Fixtures.flow(client, 3000 + client, 99, "127.0.0.2"));
        assertThat(viaB).as("client %d", client).isEqualTo(viaA);
      }
    }
  }

  @Test
  void healthChange_keepsPrimaryTableAndHealthyAssignments() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      List<Target> a = Fixtures.targets(1, 6);
      g.registerTargets(a);
      Fixtures.healthy(g, a);
      NodeRoute before = Fixtures.node(lb, "zone-a");
      long version = lb.routingSnapshot().version();
      String[] assigned = new String[FLOWS];
      for (int i = 0; i < FLOWS; i++) {
        assigned[i] = target(lb, "zone-a", Fixtures.flow(i));
      }

      Fixtures.unhealthy(g, a.subList(0, 1));
      NodeRoute after = Fixtures.node(lb, "zone-a");
      assertThat(lb.routingSnapshot().version()).isGreaterThan(version);
      assertThat(after).isNotSameAs(before);
      TargetSelector s0 = Objects.requireNonNull(before.selector());
      TargetSelector s1 = Objects.requireNonNull(after.selector());
      assertThat(s1.primary()).isSameAs(s0.primary());

      String lost = a.get(0).id();
      int moved = 0;
      for (int i = 0; i < FLOWS; i++) {
        String now = target(lb, "zone-a", Fixtures.flow(i));
        assertThat(now).isNotEqualTo(lost);
        if (!assigned[i].equals(lost)) {
          assertThat(now).as("flow %d stayed on a healthy target", i).isEqualTo(assigned[i]);
        } else {
          moved++;
        }
      }
      assertThat(moved).isPositive();

      Fixtures.healthy(g, a.subList(0, 1));
      for (int i = 0; i < FLOWS; i++) {
        assertThat(target(lb, "zone-a", Fixtures.flow(i))).isEqualTo(assigned[i]);
      }
      assertThat(Objects.requireNonNull(Fixtures.node(lb, "zone-a").selector()).primary()).isSameAs(s0.primary());
    }
  }

  @Test
  void reportHealth_sameHealthTwice_publishesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.1"));
      g.reportHealth(Target.ip("10.0.1.1"), TargetHealth.healthy());
      RoutingSnapshot s = lb.routingSnapshot();
      g.reportHealth(Target.ip("10.0.1.1"), TargetHealth.healthy());
      assertThat(lb.routingSnapshot()).isSameAs(s);
    }
  }

  @Test
  void snapshot_isImmutableAcrossChanges() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(1, 2));
      RoutingSnapshot s = lb.routingSnapshot();
      List<RouteTarget> before = s.targets();
      g.registerTargets(Target.ip("10.0.1.3"));
      assertThat(s.targets()).isEqualTo(before);
      assertThat(lb.routingSnapshot().targets()).hasSize(3);
    }
  }
}
