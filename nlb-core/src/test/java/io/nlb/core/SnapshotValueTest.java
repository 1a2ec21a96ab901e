package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A published {@link RoutingSnapshot} is a value all the way down: what it says about its targets
 * (health, draining, removal, ALB addresses) stays as it was at publish time while the control
 * plane changes the live registrations.
 */
class SnapshotValueTest {
  private final ManualScheduler time = new ManualScheduler();
  private final AtomicReference<List<InetAddress>> albAddresses = new AtomicReference<>(List.of(addr("10.0.1.50")));

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Every field of every target of every node, spelled out (RouteTarget#toString is short). */
  private static String describe(RoutingSnapshot s) {
    StringBuilder sb = new StringBuilder();
    for (ListenerRoute l : s.listeners()) {
      sb.append(l.config().path()).append(" -> ").append(l.targetGroup()).append('\n');
      for (NodeRoute n : l.nodes()) {
        sb.append("  ").append(n).append('\n');
        for (RouteTarget t : n.targets()) {
          sb.append("    ").append(t.registrationId()).append(' ').append(t.id()).append(':').append(t.port())
              .append(" health=").append(t.health()).append(" draining=").append(t.isDraining())
              .append(" removed=").append(t.isRemoved()).append(" alb=").append(t.albAddresses())
              .append(" address=").append(t.address(7)).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Test
  void snapshot_healthDrainingRemovalAndAlbAddressesChange_staysEqual() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 81).addresses(() -> Objects.requireNonNull(albAddresses.get()))
          .refreshInterval(Duration.ofSeconds(10)).build());
      TargetGroup ip = Fixtures.ipGroup(nlb, "ip");
      TargetGroup alb = nlb.createTargetGroup(TargetGroupConfig.builder("alb", Protocol.TCP, 81).targetType(TargetType.ALB).build());
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).zone(Fixtures.zoneB())
          .listener(Fixtures.tcp(80, "ip")).listener(Fixtures.tcp(81, "alb")).build());
      List<Target> targets = Fixtures.targets(1, 3);
      ip.registerTargets(targets);
      Fixtures.healthy(ip, targets);
      alb.registerTargets(Target.alb("alb"));
      alb.reportHealth(Target.alb("alb"), TargetHealth.healthy());

      RoutingSnapshot s = lb.routingSnapshot();
      String before = describe(s);
      List<ListenerRoute> routes = List.copyOf(s.listeners());
      List<RouteTarget> values = s.targets();
      assertThat(values).hasSize(4).allSatisfy(t -> assertThat(t.health()).isEqualTo(TargetHealth.healthy()));

      // Health, draining, removal and ALB addresses of targets in s all change.
      ip.reportHealth(targets.get(0), TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
      ip.deregisterTargets(targets.get(1));
      albAddresses.set(List.of(addr("10.0.1.60"), addr("10.0.2.60")));
      time.advance(Duration.ofSeconds(10));
      RoutingSnapshot whileDraining = lb.routingSnapshot();
      time.advance(Duration.ofSeconds(300));
      RegisteredTarget liveAlb = alb.registeredTargets().get(0);
      assertThat(liveAlb.albAddresses()).hasSize(2);

      assertThat(describe(s)).isEqualTo(before);
      assertThat(s.listeners()).isEqualTo(routes);
      assertThat(s.targets()).isEqualTo(values);
      // The control plane did publish all of it, in new snapshots.
      String now = describe(lb.routingSnapshot());
      assertThat(now).isNotEqualTo(before).contains("health=" + TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS))
          .contains("10.0.2.60").doesNotContain("10.0.1.2:8080");
      assertThat(describe(whileDraining)).doesNotContain("10.0.1.2:8080");
      assertThat(lb.routingSnapshot().listeners()).isNotEqualTo(routes);
    }
  }

  @Test
  void nodeRoute_rebuiltWithoutChange_isEqual() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(1, 2));
      Fixtures.healthy(g, Fixtures.targets(1, 2));
      NodeRoute before = Fixtures.node(lb, "zone-a");
      lb.modifyAttributes(java.util.Map.of("deletion_protection.enabled", "false"));
      assertThat(Fixtures.node(lb, "zone-a")).isEqualTo(before).hasSameHashCodeAs(before);
      Fixtures.unhealthy(g, Fixtures.targets(1, 1));
      assertThat(Fixtures.node(lb, "zone-a")).isNotEqualTo(before);
    }
  }
}
