package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** describe-target-health: every state and reason code a registration passes through, and draining timed by the manual clock. */
class TargetHealthTest {
  private final ManualScheduler time = new ManualScheduler();
  private static final Target T = Target.ip("10.0.1.5");

  private static TargetHealth health(TargetGroup g, Target t) {
    return g.describeTargetHealth(t).get(0).health();
  }

  @Test
  void newRegistration_isInitialRegistrationInProgress() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      TargetHealth h = health(g, T);
      assertThat(h.state()).isEqualTo(TargetHealthState.INITIAL);
      assertThat(h.reason()).hasValue(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
      assertThat(h.reason().orElseThrow().code()).isEqualTo("Elb.RegistrationInProgress");
      assertThat(h.description()).hasValue("Target registration is in progress");
      assertThat(h).hasToString("initial (Elb.RegistrationInProgress: Target registration is in progress)");
    }
  }

  @Test
  void reportHealth_healthyThenUnhealthy_isDescribed() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      TargetHealth previous = g.reportHealth(T, TargetHealth.healthy());
      assertThat(previous.reason()).hasValue(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
      TargetHealth h = health(g, T);
      assertThat(h.state()).isEqualTo(TargetHealthState.HEALTHY);
      assertThat(h.reason()).isEmpty();
      assertThat(h.description()).isEmpty();
      g.reportHealth(T, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
      h = health(g, T);
      assertThat(h.state()).isEqualTo(TargetHealthState.UNHEALTHY);
      assertThat(h.reason().orElseThrow().code()).isEqualTo("Target.FailedHealthChecks");
      assertThat(h.description()).hasValue("Health checks failed");
    }
  }

  @Test
  void reportHealth_initialHealthChecking_isDescribed() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      g.reportHealth(T, TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING));
      assertThat(health(g, T)).hasToString("initial (Elb.InitialHealthChecking: Initial health checks in progress)");
      g.reportHealth(T, TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR));
      assertThat(health(g, T).state()).isEqualTo(TargetHealthState.UNAVAILABLE);
    }
  }

  @Test
  void groupNotUsedByListener_isUnusedNotInUseWithFirstDescription() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(T);
      g.reportHealth(T, TargetHealth.healthy());
      TargetHealth h = health(g, T);
      assertThat(h.state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(h.reason()).hasValue(TargetHealthReason.TARGET_NOT_IN_USE);
      assertThat(h.reason().orElseThrow().code()).isEqualTo("Target.NotInUse");
      assertThat(h.description()).hasValue("Target group is not configured to receive traffic from the load balancer");
    }
  }

  @Test
  void targetInZoneNotEnabled_isUnusedNotInUseWithZoneDescription() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "g")).build());
      Target explicitC = Target.ip("10.0.1.6").withZone("zone-c");
      g.registerTargets(explicitC);
      TargetHealthDescription d = g.describeTargetHealth().get(0);
      assertThat(d.health().state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(d.health().reason()).hasValue(TargetHealthReason.TARGET_NOT_IN_USE);
      assertThat(d.health().description()).hasValue("Target is in an Availability Zone that is not enabled for the load balancer");
      assertThat(lb.routingSnapshot().targets()).isEmpty();
      assertThat(lb.unzoned.warnings()).isZero();
    }
  }

  /**
   * A deliberate difference made loud (README, "Deliberate differences from the AWS guide"): AWS
   * knows each address's subnet and zone; here a target's zone comes from {@code Target#withZone}
   * or the zones' target ranges. A target neither places gets no traffic: one WARN names it and
   * every zone's ranges, and its reason says that no range contains its address.
   */
  @Test
  void targetInNoZonesRange_warnsOnceAndSaysNoRangeContainsIt() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Zone.of("zone-a", "127.0.0.1"))
          .zone(Fixtures.zoneB()).listener(Fixtures.tcp(80, "g")).build());
      Target loopback = Target.ip("127.0.0.1").withPort(9001);
      g.registerTargets(loopback);
      g.reportHealth(loopback, TargetHealth.healthy());
      TargetHealthDescription d = g.describeTargetHealth().get(0);
      assertThat(d.health().state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(d.health().reason()).hasValue(TargetHealthReason.TARGET_NOT_IN_USE);
      assertThat(d.health().description()).hasValue("Target is in no enabled Availability Zone: no zone's target range contains its address");
      assertThat(lb.routingSnapshot().targets()).isEmpty();
      assertThat(lb.unzoned.warnings()).isEqualTo(1);
      assertThat(lb.unzoned.lastWarning()).isEqualTo("nlb load balancer lb: target g/127.0.0.1:9001 gets no traffic (Target.NotInUse):"
          + " no zone's target range contains 127.0.0.1 (zones: zone-a [], zone-b [10.0.2.0/24]). Add a range that contains it to a"
          + " zone (Zone.Builder#targetRange) or register the target with its zone (Target#withZone)");
    }
  }

  @Test
  void targetOnTheLoadBalancersOwnListener_isUnusedIpUnusable() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Target self = Target.ip("127.0.0.1", 80).withZone("zone-a");
      g.registerTargets(self);
      TargetHealth h = health(g, self);
      assertThat(h.state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(h.reason().orElseThrow().code()).isEqualTo("Target.IpUnusable");
      assertThat(lb.routingSnapshot().targets()).isEmpty();
    }
  }

  @Test
  void notRegistered_isUnusedNotRegistered() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetHealthDescription d = g.describeTargetHealth(T).get(0);
      assertThat(d.health().state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(d.health().reason().orElseThrow().code()).isEqualTo("Target.NotRegistered");
      assertThat(d.health().description()).hasValue("Target is not registered to the target group");
      assertThat(d.target().port()).hasValue(8080);
      assertThat(d.healthCheckPort()).isEmpty();
    }
  }

  @Test
  void deregister_isDrainingUntilDelayThenGone() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      g.reportHealth(T, TargetHealth.healthy());
      g.deregisterTargets(T);
      TargetHealth h = health(g, T);
      assertThat(h.state()).isEqualTo(TargetHealthState.DRAINING);
      assertThat(h.reason().orElseThrow().code()).isEqualTo("Target.DeregistrationInProgress");
      assertThat(h.description()).hasValue("Target deregistration is in progress");
      assertThat(g.registeredTargets().get(0).isDraining()).isTrue();
      assertThat(lb.routingSnapshot().targets()).isEmpty();

      time.advance(Duration.ofSeconds(299));
      assertThat(health(g, T).state()).isEqualTo(TargetHealthState.DRAINING);
      time.advance(Duration.ofSeconds(1));
      assertThat(health(g, T).reason()).hasValue(TargetHealthReason.TARGET_NOT_REGISTERED);
      assertThat(g.registeredTargets()).isEmpty();
      assertThat(g.describeTargetHealth()).isEmpty();
    }
  }

  @Test
  void deregister_customDelay_isHonoured() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "30"));
      g.registerTargets(T);
      g.deregisterTargets(T);
      time.advance(Duration.ofSeconds(29));
      assertThat(g.registeredTargets()).hasSize(1);
      time.advance(Duration.ofSeconds(1));
      assertThat(g.registeredTargets()).isEmpty();
    }
  }

  @Test
  void reRegister_whileDraining_returnsToPreviousHealth() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      g.reportHealth(T, TargetHealth.healthy());
      RegisteredTarget r = g.registeredTargets().get(0);
      g.deregisterTargets(T);
      time.advance(Duration.ofSeconds(100));
      g.registerTargets(T);
      assertThat(health(g, T).state()).isEqualTo(TargetHealthState.HEALTHY);
      assertThat(g.registeredTargets()).containsExactly(r);
      assertThat(lb.routingSnapshot().targets()).extracting(RouteTarget::registrationId).containsExactly(r.registrationId());
      time.advance(Duration.ofSeconds(300));
      assertThat(g.registeredTargets()).containsExactly(r);
      assertThat(health(g, T).state()).isEqualTo(TargetHealthState.HEALTHY);
    }
  }

  @Test
  void reRegister_whileDrainingUnhealthy_staysUnhealthy() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      g.reportHealth(T, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
      g.deregisterTargets(T);
      g.registerTargets(T);
      assertThat(health(g, T).state()).isEqualTo(TargetHealthState.UNHEALTHY);
    }
  }

  @Test
  void deregisterAgain_afterRevival_drainsForFullDelay() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(T);
      g.deregisterTargets(T);
      time.advance(Duration.ofSeconds(200));
      g.registerTargets(T);
      g.deregisterTargets(T);
      time.advance(Duration.ofSeconds(200));
      assertThat(g.registeredTargets()).hasSize(1);
      time.advance(Duration.ofSeconds(100));
      assertThat(g.registeredTargets()).isEmpty();
    }
  }

  @Test
  void deregister_delay0_removesAtOnce() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 8080).targetType(TargetType.IP)
          .attribute("deregistration_delay.timeout_seconds", "0").build());
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(T);
      g.deregisterTargets(T);
      assertThat(g.registeredTargets()).isEmpty();
      assertThat(health(g, T).reason()).hasValue(TargetHealthReason.TARGET_NOT_REGISTERED);
      assertThat(lb.routingSnapshot().targets()).isEmpty();
      assertThat(time.pendingTasks()).isZero();
    }
  }

  @Test
  void reportHealth_drainingOrUnusedState_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(T);
      NlbException e = nlbError(() -> g.reportHealth(T, TargetHealth.of(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS)));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e).hasMessage("ValidationError: health.state: \"draining\" "
          + "(expected: initial, healthy, unhealthy or unavailable; draining and unused follow from registration)");
      for (TargetHealthReason unused : List.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_REGISTERED,
          TargetHealthReason.TARGET_INVALID_STATE, TargetHealthReason.TARGET_IP_UNUSABLE)) {
        assertThat(nlbError(() -> g.reportHealth(T, TargetHealth.of(unused))).problems())
            .singleElement().asString().startsWith("health.state: \"unused\"");
      }
      assertThat(g.registeredTargets().get(0).health().reason()).hasValue(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
    }
  }

  @Test
  void reportHealth_notRegistered_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      NlbException e = nlbError(() -> g.reportHealth(T, TargetHealth.healthy()));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("target: \"10.0.1.5\" (expected: a target registered with g)");
    }
  }

  @Test
  void targetHealth_undocumentedDescription_isRejected() {
    assertThat(Fixtures.argError(() -> TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, "because")))
        .hasMessageStartingWith("description: \"because\" (expected: one of [");
  }

  @Test
  void reasonCodes_mapToDocumentedStates() {
    assertThat(TargetHealthReason.ofCode("Elb.RegistrationInProgress").state()).isEqualTo(TargetHealthState.INITIAL);
    assertThat(TargetHealthReason.ofCode("Elb.InitialHealthChecking").state()).isEqualTo(TargetHealthState.INITIAL);
    assertThat(TargetHealthReason.ofCode("Target.FailedHealthChecks").state()).isEqualTo(TargetHealthState.UNHEALTHY);
    assertThat(TargetHealthReason.ofCode("Target.NotRegistered").state()).isEqualTo(TargetHealthState.UNUSED);
    assertThat(TargetHealthReason.ofCode("Target.NotInUse").state()).isEqualTo(TargetHealthState.UNUSED);
    assertThat(TargetHealthReason.ofCode("Target.InvalidState").state()).isEqualTo(TargetHealthState.UNUSED);
    assertThat(TargetHealthReason.ofCode("Target.IpUnusable").state()).isEqualTo(TargetHealthState.UNUSED);
    assertThat(TargetHealthReason.ofCode("Target.DeregistrationInProgress").state()).isEqualTo(TargetHealthState.DRAINING);
    assertThat(TargetHealthReason.ofCode("Elb.InternalError").state()).isEqualTo(TargetHealthState.UNAVAILABLE);
    assertThat(Fixtures.argError(() -> TargetHealthReason.ofCode("Target.Nope")))
        .hasMessage("reasonCode: \"Target.Nope\" (expected: one of the documented reason codes)");
  }
}
