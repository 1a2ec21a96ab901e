package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Creation, deletion protection, deletion, and zones that may be added but never removed or changed. */
class LoadBalancerLifecycleTest {
  private final ManualScheduler time = new ManualScheduler();

  @Test
  void create_withoutTransport_isActiveWithSnapshot() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "my-nlb", "g");
      assertThat(lb.state()).isEqualTo(LoadBalancerState.ACTIVE);
      assertThat(lb.stateReason()).isEmpty();
      assertThat(lb.id()).matches("[0-9a-f]{16}");
      assertThat(lb.dnsName()).isEqualTo("my-nlb-" + lb.id() + ".elb.local");
      assertThat(lb.resourceId()).isEqualTo("net/my-nlb/" + lb.id());
      assertThat(lb.routingSnapshot().listeners()).hasSize(1);
      assertThat(lb.routingSnapshot().flowHashSeed()).isEqualTo(42);
      assertThat(nlb.transport()).isEmpty();
    }
  }

  /**
   * Guide, "DNS name": each zone's node has its own name, {@code az.name-id.elb.region...}; guide,
   * "Target group health" (DNS failover): records live 60 seconds in client caches.
   */
  @Test
  void dnsName_recordsHaveSixtySecondTtlAndPerZoneNames() throws Exception {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "my-nlb", "g");
      g.registerTargets(Target.ip("10.0.1.1"), Target.ip("10.0.2.1"));
      g.reportHealth(Target.ip("10.0.1.1"), TargetHealth.healthy());
      g.reportHealth(Target.ip("10.0.2.1"), TargetHealth.healthy());
      DnsRecords dns = lb.dnsRecords();
      assertThat(dns.ttl()).isEqualTo(java.time.Duration.ofSeconds(60));
      assertThat(dns.zoneRecords()).extracting(DnsRecords.ZoneRecord::name)
          .containsExactly("zone-a.my-nlb-" + lb.id() + ".elb.local", "zone-b.my-nlb-" + lb.id() + ".elb.local");
      assertThat(dns.zone("zone-b").orElseThrow().addresses()).containsExactly(java.net.InetAddress.getByName("127.0.0.2"));
      assertThat(dns.zone("zone-c")).isEmpty();
      // Zone B leaves the load balancer's answer (no healthy target) but keeps its own name.
      g.reportHealth(Target.ip("10.0.2.1"), TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
      assertThat(lb.dnsRecords().zone("zone-b").orElseThrow().addresses()).containsExactly(java.net.InetAddress.getByName("127.0.0.2"));
    }
  }

  @Test
  void delete_whileDeletionProtectionEnabled_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA())
          .attribute("deletion_protection.enabled", "true").build());
      NlbException e = nlbError(lb::delete);
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e).hasMessage("OperationNotPermitted: deletion_protection.enabled: \"true\" (expected: false; disable deletion protection before deleting lb)");
      assertThat(nlbError(lb::close).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(lb.state()).isEqualTo(LoadBalancerState.ACTIVE);
      assertThat(nlb.loadBalancer("lb")).containsSame(lb);
    }
  }

  @Test
  void delete_afterDisablingDeletionProtection_isAllowed() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "g")).build());
      lb.modifyAttributes(Map.of("deletion_protection.enabled", "true"));
      assertThat(nlbError(lb::close).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      lb.modifyAttributes(Map.of("deletion_protection.enabled", "false"));
      g.registerTargets(Target.ip("10.0.1.1"));
      lb.close();
      assertThat(lb.state()).isEqualTo(LoadBalancerState.DELETED);
      assertThat(nlb.loadBalancer("lb")).isEmpty();
      assertThat(lb.listeners()).isEmpty();
      assertThat(g.registeredTargets()).hasSize(1);
      assertThat(g.loadBalancer()).isEmpty();
      lb.delete(); // idempotent
      assertThat(nlbError(() -> lb.modifyAttributes(Map.of())).code()).isEqualTo(ErrorCode.LOAD_BALANCER_NOT_FOUND);
    }
  }

  @Test
  void delete_freesNameAndGroup() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g").delete();
      assertThat(Fixtures.lb(nlb, "lb", "g").state()).isEqualTo(LoadBalancerState.ACTIVE);
    }
  }

  @Test
  void nlbClose_refusesFurtherOperations() {
    Nlb nlb = Fixtures.nlb(time);
    nlb.close();
    NlbException e = nlbError(() -> Fixtures.ipGroup(nlb, "g"));
    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
    assertThat(e.problems()).containsExactly("nlb: \"closed\" (expected: an open Nlb)");
    nlb.close();
  }

  @Test
  void delete_freesLoadBalancerQuotaAndLeavesTargetsNotInUse() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().loadBalancers(1).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.1"));
      g.reportHealth(Target.ip("10.0.1.1"), TargetHealth.healthy());
      assertThat(nlbError(() -> Fixtures.lb(nlb, "other", "g")).code()).isEqualTo(ErrorCode.TOO_MANY_LOAD_BALANCERS);
      lb.delete();
      assertThat(g.describeTargetHealth().get(0).health().description())
          .hasValue("Target group is not configured to receive traffic from the load balancer");
      assertThat(Fixtures.lb(nlb, "other", "g").name()).isEqualTo("other");
    }
  }

  @Test
  void nlbClose_cancelsEveryTimer() {
    Nlb nlb = Fixtures.nlb(time);
    TargetGroup g = Fixtures.ipGroup(nlb, "g");
    LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
    g.registerTargets(Fixtures.targets(1, 2));
    g.registerTargets(Fixtures.targets(2, 2));
    g.deregisterTargets(Target.ip("10.0.1.1"));
    lb.startZonalShift("zone-b", java.time.Duration.ofMinutes(5), "x");
    nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(List::of).build());
    assertThat(time.pendingTasks()).isEqualTo(3);
    nlb.close();
    assertThat(time.pendingTasks()).isZero();
  }

  // ------------------------------------------------------------------ zones

  @Test
  void addZone_later_isEnabledAndRouted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "g")).build());
      g.registerTargets(Target.ip("10.0.2.1"));
      assertThat(g.describeTargetHealth().get(0).health().description())
          .hasValue("Target is in no enabled Availability Zone: no zone's target range contains its address");
      lb.addZone(Fixtures.zoneB());
      assertThat(lb.zones()).extracting(Zone::name).containsExactly("zone-a", "zone-b");
      assertThat(lb.routingSnapshot().zones()).extracting(Zone::name).containsExactly("zone-a", "zone-b");
      assertThat(g.describeTargetHealth().get(0).health().reason()).hasValue(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
    }
  }

  @Test
  void setZones_superset_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      lb.setZones(List.of(Fixtures.zoneB(), Fixtures.zoneA(), Fixtures.zoneC()));
      assertThat(lb.zones()).extracting(Zone::name).containsExactly("zone-a", "zone-b", "zone-c");
      lb.setZones(List.of(Fixtures.zoneA(), Fixtures.zoneB(), Fixtures.zoneC()));
      assertThat(lb.zones()).hasSize(3);
    }
  }

  @Test
  void setZones_removingZone_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).zone(Fixtures.zoneB()).build());
      NlbException e = nlbError(() -> lb.setZones(List.of(Fixtures.zoneA())));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e).hasMessage("OperationNotPermitted: loadBalancer[lb].zones: \"zone-b\" (expected: every enabled zone; zones cannot be disabled once enabled)");
      assertThat(lb.zones()).hasSize(2);
    }
  }

  @Test
  void setZones_changingZoneAddress_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      Zone moved = Zone.builder("zone-a").address("127.0.0.9").targetRange("10.0.1.0/24").build();
      NlbException e = nlbError(() -> lb.setZones(List.of(moved)));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).singleElement().asString().startsWith("loadBalancer[lb].zone[zone-a]: ");
      assertThat(nlbError(() -> lb.addZone(moved)).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(lb.zones()).containsExactly(Fixtures.zoneA());
    }
  }

  @Test
  void addZone_addressUsedByAnotherZone_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      NlbException e = nlbError(() -> lb.addZone(Zone.of("zone-b", "127.0.0.1")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly("loadBalancer[lb].zone[zone-b].address: \"127.0.0.1\" (expected: an address no other zone uses)");
      assertThat(lb.zones()).hasSize(1);
    }
  }

  @Test
  void config_sameZoneTwice_isRejected() {
    NlbException e = nlbError(() -> LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).zone(Fixtures.zoneA()).build());
    assertThat(e.problems()).contains("loadBalancer[lb].zones: \"zone-a\" (expected: each zone once)");
  }

  @Test
  void addZone_pushingZoneOverTargetQuota_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerZonePerLoadBalancer(1).build())) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "g")).build());
      g.registerTargets(Target.ip("10.0.2.1"), Target.ip("10.0.2.2"));
      RoutingSnapshot before = lb.routingSnapshot();
      assertThat(nlbError(() -> lb.addZone(Fixtures.zoneB())).code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(lb.zones()).containsExactly(Fixtures.zoneA());
      assertThat(lb.routingSnapshot()).isSameAs(before);
    }
  }
}
