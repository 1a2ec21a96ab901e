package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every quota at its limit and one past it, with small adjusted quotas; a refusal leaves nothing half-built. */
class QuotasTest {
  private final ManualScheduler time = new ManualScheduler();

  /** What a refusal must leave untouched. */
  private static String state(Nlb nlb) {
    StringBuilder sb = new StringBuilder();
    for (LoadBalancer lb : nlb.loadBalancers()) {
      sb.append(lb.name()).append(lb.zones()).append(lb.describeAttributes());
      lb.listeners().forEach(l -> sb.append(l.config()));
      sb.append(" v").append(lb.routingSnapshot().version()).append(lb.routingSnapshot().targets().size()).append('\n');
    }
    for (TargetGroup tg : nlb.targetGroups()) {
      sb.append(tg.name()).append(tg.describeAttributes()).append(tg.describeTargetHealth()).append(tg.loadBalancer().map(LoadBalancer::name)).append('\n');
    }
    return sb.toString();
  }

  @Test
  void defaults_matchDocumentation() {
    Quotas q = Quotas.defaults();
    assertThat(q.loadBalancers()).isEqualTo(50);
    assertThat(q.targetGroups()).isEqualTo(3000);
    assertThat(q.listenersPerLoadBalancer()).isEqualTo(50);
    assertThat(q.targetsPerLoadBalancer()).isEqualTo(3000);
    assertThat(q.targetsPerZonePerLoadBalancer()).isEqualTo(500);
    assertThat(q.targetsPerTargetGroup()).isEqualTo(1000);
    assertThat(q.certificatesPerLoadBalancer()).isEqualTo(25);
    assertThat(q.loadBalancersPerAlbEndpoint()).isEqualTo(2);
  }

  @Test
  void builder_zero_isRejected() {
    assertThat(Fixtures.argError(() -> Quotas.builder().targetsPerTargetGroup(0))).hasMessage("targetsPerTargetGroup: 0 (expected: 1-2147483647)");
  }

  @Test
  void loadBalancers_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().loadBalancers(2).build())) {
      nlb.createLoadBalancer(LoadBalancerConfig.builder("a").zone(Fixtures.zoneA()).build());
      nlb.createLoadBalancer(LoadBalancerConfig.builder("b").zone(Fixtures.zoneA()).build());
      String before = state(nlb);
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("c").zone(Fixtures.zoneA()).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_LOAD_BALANCERS);
      assertThat(e).hasMessage("TooManyLoadBalancers: loadBalancers: 3 (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void targetGroups_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetGroups(2).build())) {
      Fixtures.ipGroup(nlb, "a");
      Fixtures.ipGroup(nlb, "b");
      String before = state(nlb);
      NlbException e = nlbError(() -> Fixtures.ipGroup(nlb, "c"));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGET_GROUPS);
      assertThat(e.problems()).containsExactly("targetGroups: 3 (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void listenersPerLoadBalancer_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().listenersPerLoadBalancer(2).build())) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA())
          .listener(Fixtures.tcp(80, "g")).listener(Fixtures.tcp(81, "g")).build());
      String before = state(nlb);
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tcp(82, "g")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_LISTENERS);
      assertThat(e.problems()).containsExactly("loadBalancer[lb].listeners: 3 (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
      NlbException c = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb2").zone(Fixtures.zoneA())
          .listener(Fixtures.tcp(80, "g")).listener(Fixtures.tcp(81, "g")).listener(Fixtures.tcp(82, "g")).build()));
      assertThat(c.code()).isEqualTo(ErrorCode.TOO_MANY_LISTENERS);
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  /**
   * A deliberate difference (README, "Deliberate differences from the AWS guide"): the guide
   * ("Quotas") marks some quotas as not adjustable, listeners per load balancer (50) among them;
   * every quota of the library is adjustable, that one included.
   */
  @Test
  void listenersPerLoadBalancer_notAdjustableInGuide_isAdjustableDeliberately() {
    assertThat(Quotas.defaults().listenersPerLoadBalancer()).isEqualTo(50);
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().listenersPerLoadBalancer(51).build())) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancerConfig.Builder b = LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA());
      for (int port = 1000; port < 1051; port++) {
        b.listener(Fixtures.tcp(port, "g"));
      }
      assertThat(nlb.createLoadBalancer(b.build()).listeners()).hasSize(51);
    }
  }

  @Test
  void targetsPerTargetGroup_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerTargetGroup(3).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Fixtures.targets(1, 3));
      String before = state(nlb);
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.1.4")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(e).hasMessage("TooManyTargets: targetGroup[g].targets: 4 (expected: at most 3)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void targetsPerTargetGroup_batchOverLimit_registersNone() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerTargetGroup(3).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Fixtures.targets(1, 2));
      String before = state(nlb);
      assertThat(nlbError(() -> g.registerTargets(List.of(Target.ip("10.0.1.3"), Target.ip("10.0.1.4")))).code())
          .isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  /** An apply's steps pass the same quota gate as the imperative calls: refused with the step's path, nothing changed. */
  @Test
  void apply_stepsOverAQuota_refusedWithTheStepsPath_runningStateUnchanged() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerTargetGroup(2).targetGroups(2).build())) {
      TargetGroupConfig g = TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP).build();
      nlb.apply(NlbConfig.builder().targetGroup(g, Fixtures.targets(1, 2)).build());
      String before = state(nlb);
      NlbException targets = nlbError(() -> nlb.apply(NlbConfig.builder().targetGroup(g, Fixtures.targets(1, 3)).build()));
      assertThat(targets.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(targets.problems()).containsExactly("targetGroups[g].targets: targetGroup[g].targets: 3 (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
      NlbException groups = nlbError(() -> nlb.apply(NlbConfig.builder().targetGroup(g, Fixtures.targets(1, 2))
          .targetGroup(TargetGroupConfig.builder("h", Protocol.TCP, 80).build())
          .targetGroup(TargetGroupConfig.builder("i", Protocol.TCP, 80).build()).build()));
      assertThat(groups.code()).isEqualTo(ErrorCode.TOO_MANY_TARGET_GROUPS);
      assertThat(groups.problems()).containsExactly("targetGroups[i]: targetGroups: 3 (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void targetsPerTargetGroup_drainingTargetStillCounts() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerTargetGroup(1).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.1"));
      g.deregisterTargets(Target.ip("10.0.1.1"));
      assertThat(nlbError(() -> g.registerTargets(Target.ip("10.0.1.2"))).code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      time.advance(Duration.ofSeconds(300));
      g.registerTargets(Target.ip("10.0.1.2"));
      assertThat(g.registeredTargets()).hasSize(1);
    }
  }

  @Test
  void targetsPerLoadBalancer_targetInTwoGroupsCountsTwice() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerLoadBalancer(4).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).zone(Fixtures.zoneB())
          .listener(Fixtures.tcp(80, "g")).listener(Fixtures.tcp(81, "h")).build());
      g.registerTargets(Target.ip("10.0.1.1"), Target.ip("10.0.2.1"));
      h.registerTargets(Target.ip("10.0.1.1"), Target.ip("10.0.2.1"));
      String before = state(nlb);
      NlbException e = nlbError(() -> h.registerTargets(Target.ip("10.0.1.1", 9090)));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(e.problems()).containsExactly("loadBalancer[lb].targets: 5 (expected: at most 4 (a target in N groups counts N times))");
      assertThat(state(nlb)).isEqualTo(before);
      assertThat(lb.routingSnapshot().targets()).hasSize(4);
    }
  }

  @Test
  void targetsPerLoadBalancer_attachingFullGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerLoadBalancer(4).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      g.registerTargets(Fixtures.targets(1, 3));
      h.registerTargets(Fixtures.targets(1, 2));
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      String before = state(nlb);
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tcp(81, "h")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void targetsPerLoadBalancer_atCreationWithTwoGroups_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerLoadBalancer(4).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      g.registerTargets(Fixtures.targets(1, 3));
      h.registerTargets(Fixtures.targets(1, 2));
      String before = state(nlb);
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA())
          .listener(Fixtures.tcp(80, "g")).listener(Fixtures.tcp(81, "h")).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(e.problems()).containsExactly("loadBalancer[lb].targets: 5 (expected: at most 4 (a target in N groups counts N times))");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void targetsPerZone_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerZonePerLoadBalancer(2).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(1, 2));
      g.registerTargets(Fixtures.targets(2, 2));
      String before = state(nlb);
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.1.3")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(e).hasMessage("TooManyTargets: loadBalancer[lb].zone[zone-a].targets: 3 "
          + "(expected: at most 2 (a target in N groups counts N times; an ALB 50, or 100 with cross-zone on))");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void certificatesPerLoadBalancer_atLimit_thenRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().certificatesPerLoadBalancer(2).build())) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(
          ListenerConfig.builder(Protocol.TLS, 443).forwardTo("g").certificate(Fixtures.CERT_1).addCertificate(Fixtures.CERT_2).build()).build());
      String before = state(nlb);
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tls(8443, "g")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CERTIFICATES);
      assertThat(e.problems()).containsExactly("listener[TLS:8443].certificates: \"3 on the load balancer\" (expected: at most 2)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void certificatesPerLoadBalancer_modifyAddingCertificate_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().certificatesPerLoadBalancer(1).build())) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tls(443, "g")).build());
      Listener l = lb.listeners().get(0);
      ListenerConfig before = l.config();
      assertThat(nlbError(() -> l.modify(before.toBuilder().addCertificate(Fixtures.CERT_2).build())).code())
          .isEqualTo(ErrorCode.TOO_MANY_CERTIFICATES);
      assertThat(l.config()).isSameAs(before);
    }
  }

  @Test
  void modifyAttributes_crossZoneOnPushesAlbOverZoneQuota_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerZonePerLoadBalancer(60).build())) {
      nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(() -> List.of(java.net.InetAddress.getByName("10.0.1.9"))).build());
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.ALB).build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.alb("alb"));
      String before = state(nlb);
      NlbException e = nlbError(() -> lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void albEndpoint_behindAtMostTwoLoadBalancers() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(() -> List.of(java.net.InetAddress.getByName("10.0.1.9"))).build());
      for (String n : List.of("g1", "g2", "g3")) {
        TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder(n, Protocol.TCP, 80).targetType(TargetType.ALB).build());
        g.registerTargets(Target.alb("alb"));
      }
      Fixtures.lb(nlb, "lb1", "g1");
      Fixtures.lb(nlb, "lb2", "g2");
      String before = state(nlb);
      NlbException e = nlbError(() -> Fixtures.lb(nlb, "lb3", "g3"));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REGISTRATIONS_FOR_TARGET_ID);
      assertThat(e.problems()).containsExactly("albEndpoint: \"alb\" (expected: an endpoint behind at most 2 load balancers)");
      assertThat(state(nlb)).isEqualTo(before);
    }
  }

  @Test
  void albEndpoint_registeringIntoThirdLoadBalancersGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(() -> List.of(java.net.InetAddress.getByName("10.0.1.9"))).build());
      for (int i = 1; i <= 3; i++) {
        nlb.createTargetGroup(TargetGroupConfig.builder("g" + i, Protocol.TCP, 80).targetType(TargetType.ALB).build());
        Fixtures.lb(nlb, "lb" + i, "g" + i);
      }
      nlb.targetGroup("g1").orElseThrow().registerTargets(Target.alb("alb"));
      nlb.targetGroup("g2").orElseThrow().registerTargets(Target.alb("alb"));
      TargetGroup g3 = nlb.targetGroup("g3").orElseThrow();
      String before = state(nlb);
      assertThat(nlbError(() -> g3.registerTargets(Target.alb("alb"))).code()).isEqualTo(ErrorCode.TOO_MANY_REGISTRATIONS_FOR_TARGET_ID);
      assertThat(state(nlb)).isEqualTo(before);
      assertThat(g3.registeredTargets()).isEmpty();
    }
  }
}
