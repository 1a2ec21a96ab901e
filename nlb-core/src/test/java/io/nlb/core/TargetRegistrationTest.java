package io.nlb.core;

import static io.nlb.core.Fixtures.argError;
import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registering targets: kinds, address families, instance resolution, ports, zones, batches that fail whole. */
class TargetRegistrationTest {
  private final ManualScheduler time = new ManualScheduler();

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static final InstanceResolver INSTANCES = id -> switch (id) {
    case "i-0000000000000000a" -> InstanceResolver.Instance.running(addr("10.0.1.10"), null);
    case "i-0000000000000000b" -> InstanceResolver.Instance.running(addr("10.0.9.10"), "zone-b");
    case "i-0000000000000000c" -> new InstanceResolver.Instance(addr("10.0.1.11"), null, InstanceResolver.State.STOPPED);
    case "i-0000000000000000d" -> new InstanceResolver.Instance(addr("10.0.1.12"), null, InstanceResolver.State.TERMINATED);
    default -> null;
  };

  private Nlb nlbWithInstances() {
    return Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).instanceResolver(INSTANCES).build();
  }

  @Test
  void ipTarget_inIpv4Group_isRegisteredOnGroupPort() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.5"));
      RegisteredTarget r = g.registeredTargets().get(0);
      assertThat(r.port()).isEqualTo(8080);
      assertThat(r.address()).isEqualTo(new InetSocketAddress(addr("10.0.1.5"), 8080));
      assertThat(r.group()).isSameAs(g);
      assertThat(r.isDraining()).isFalse();
    }
  }

  /**
   * A deliberate difference (README, "Deliberate differences from the AWS guide"): the guide
   * ("Register targets", IP addresses) takes only private-range addresses of the VPC's subnets;
   * in-process there is no VPC, so any address is registered: public, and loopback (single-host
   * setups rely on it), and one outside every zone's range.
   */
  @Test
  void ipTarget_publicLoopbackOrOutsideEveryRange_isRegisteredDeliberately() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("198.51.100.7").withZone("zone-a"), Target.ip("127.0.0.1").withZone("zone-b"),
          Target.ip("8.8.8.8"));
      assertThat(g.registeredTargets()).extracting(r -> java.util.Objects.requireNonNull(r.address()).getAddress())
          .containsExactlyInAnyOrder(addr("198.51.100.7"), addr("127.0.0.1"), addr("8.8.8.8"));
    }
  }

  @Test
  void ipTarget_ipv6InIpv4Group_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("fd00::1")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).singleElement().asString().endsWith("(expected: an ipv4 address for the ipv4 target group g)");
      assertThat(g.registeredTargets()).isEmpty();
    }
  }

  @Test
  void targetKind_mismatch_isRejected() {
    try (Nlb nlb = nlbWithInstances()) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      NlbException e = nlbError(() -> g.registerTargets(Target.instance("i-0000000000000000a")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("targets[0]: \"i-0000000000000000a\" (expected: an ip target for the ip target group g)");
    }
  }

  @Test
  void ipTarget_badLiteral_isRejected() {
    assertThat(argError(() -> Target.ip("not-an-ip"))).hasMessageStartingWith("target.id: \"not-an-ip\"");
    assertThat(argError(() -> Target.ip("10.0.0.1", 0))).hasMessage("target[10.0.0.1].port: 0 (expected: 1-65535)");
  }

  @Test
  void instanceId_badForm_isRejected() {
    assertThat(argError(() -> Target.instance("i-123")))
        .hasMessage("target.id: \"i-123\" (expected: an instance id such as i-0123456789abcdef0)");
  }

  @Test
  void instanceTarget_resolved_takesAddressAndZone() {
    try (Nlb nlb = nlbWithInstances()) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).build());
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.instance("i-0000000000000000a"), Target.instance("i-0000000000000000b"));
      List<TargetHealthDescription> d = g.describeTargetHealth();
      assertThat(d).extracting(x -> x.target().zone().orElse("?")).containsExactly("zone-a", "zone-b");
      assertThat(g.registeredTargets().get(1).address()).isEqualTo(new InetSocketAddress(addr("10.0.9.10"), 80));
    }
  }

  @Test
  void instanceTarget_unknown_isRejected() {
    try (Nlb nlb = nlbWithInstances()) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).build());
      NlbException e = nlbError(() -> g.registerTargets(Target.instance("i-0000000000000000f")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e).hasMessage("InvalidTarget: targets[0].id: \"i-0000000000000000f\" (expected: an instance the instance resolver knows)");
    }
  }

  @Test
  void instanceTarget_stoppedOrTerminated_isRejected() {
    try (Nlb nlb = nlbWithInstances()) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).build());
      NlbException e = nlbError(() -> g.registerTargets(Target.instance("i-0000000000000000c"), Target.instance("i-0000000000000000d")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly(
          "targets[0].id: \"i-0000000000000000c (stopped)\" (expected: a running instance)",
          "targets[1].id: \"i-0000000000000000d (terminated)\" (expected: a running instance)");
      assertThat(g.registeredTargets()).isEmpty();
    }
  }

  @Test
  void instanceTarget_withoutResolver_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).build());
      assertThat(nlbError(() -> g.registerTargets(Target.instance("i-0123456789abcdef0"))).code()).isEqualTo(ErrorCode.INVALID_TARGET);
    }
  }

  @Test
  void batch_oneBadTarget_registersNone() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      assertThat(nlbError(() -> g.registerTargets(Target.ip("10.0.1.1"), Target.ip("fd00::1"))).code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(g.registeredTargets()).isEmpty();
    }
  }

  @Test
  void portOverride_isUsed() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.5", 9090));
      assertThat(g.registeredTargets().get(0).port()).isEqualTo(9090);
      assertThat(g.describeTargetHealth().get(0).target().port()).hasValue(9090);
      assertThat(g.describeTargetHealth().get(0).healthCheckPort()).hasValue("9090");
    }
  }

  @Test
  void healthCheckPort_fixed_isReported() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP)
          .healthCheck(HealthCheck.builder().port(8081).build()).build());
      g.registerTargets(Target.ip("10.0.1.5"));
      assertThat(g.describeTargetHealth().get(0).healthCheckPort()).hasValue("8081");
    }
  }

  @Test
  void sameAddress_onTwoPorts_isTwoRegistrations() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.5", 8080), Target.ip("10.0.1.5", 8081));
      assertThat(g.registeredTargets()).extracting(RegisteredTarget::port).containsExactly(8080, 8081);
      g.registerTargets(Target.ip("10.0.1.5"));
      assertThat(g.registeredTargets()).hasSize(2);
    }
  }

  @Test
  void sameAddress_inTwoGroups_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      g.registerTargets(Target.ip("10.0.1.5"));
      h.registerTargets(Target.ip("10.0.1.5"));
      assertThat(g.registeredTargets()).hasSize(1);
      assertThat(h.registeredTargets()).hasSize(1);
      assertThat(g.registeredTargets().get(0).registrationId()).isNotEqualTo(h.registeredTargets().get(0).registrationId());
    }
  }

  @Test
  void registerAgain_sameTarget_changesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.5"));
      g.reportHealth(Target.ip("10.0.1.5"), TargetHealth.healthy());
      RegisteredTarget r = g.registeredTargets().get(0);
      g.registerTargets(Target.ip("10.0.1.5"));
      assertThat(g.registeredTargets()).containsExactly(r);
      assertThat(r.health().isHealthy()).isTrue();
    }
  }

  @Test
  void zone_derivedFromTargetRanges() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5"), Target.ip("10.0.7.5"));
      List<TargetHealthDescription> d = g.describeTargetHealth();
      assertThat(d.get(0).target().zone()).hasValue("zone-a");
      assertThat(d.get(1).target().zone()).hasValue("zone-b");
      assertThat(d.get(2).target().zone()).isEmpty();
      assertThat(d.get(2).health().state()).isEqualTo(TargetHealthState.UNUSED);
      assertThat(d.get(2).health().reason()).hasValue(TargetHealthReason.TARGET_NOT_IN_USE);
    }
  }

  @Test
  void zone_explicit_winsOverRanges() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.5").withZone("zone-b"));
      Fixtures.healthy(g, List.of(Target.ip("10.0.1.5")));
      assertThat(g.describeTargetHealth().get(0).target().zone()).hasValue("zone-b");
      assertThat(Fixtures.node(lb, "zone-b").targets()).hasSize(1);
      assertThat(Fixtures.node(lb, "zone-a").targets()).isEmpty();
    }
  }

  @Test
  void registerAgain_withOtherZone_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.5").withZone("zone-a"));
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.1.5").withZone("zone-b")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("targets[0].zone: \"zone-b\" (expected: the zone it is registered in (zone-a))");
    }
  }

  @Test
  void registerAgain_withTheZoneItWasPlacedIn_changesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.ip("10.0.1.5"));
      RegisteredTarget r = g.registeredTargets().get(0);
      g.registerTargets(Target.ip("10.0.1.5").withZone("zone-a"));
      assertThat(g.registeredTargets()).containsExactly(r);
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.1.5").withZone("zone-b")));
      assertThat(e.problems()).containsExactly("targets[0].zone: \"zone-b\" (expected: the zone it is registered in (zone-a))");
    }
  }

  @Test
  void registerAgain_withZoneWhenItHasNone_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.7.5"));
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.7.5").withZone("zone-b")));
      assertThat(e.problems()).containsExactly("targets[0].zone: \"zone-b\" (expected: the zone it is registered in (none))");
    }
  }

  @Test
  void deregister_unknownTarget_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.1"));
      NlbException e = nlbError(() -> g.deregisterTargets(Target.ip("10.0.1.1"), Target.ip("10.0.1.2")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("targets[1]: \"10.0.1.2\" (expected: a target registered with g)");
      assertThat(g.registeredTargets().get(0).isDraining()).isFalse();
    }
  }

  @Test
  void deleteTargetGroup_unused_forgetsTargets() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.registerTargets(Target.ip("10.0.1.1"));
      g.deregisterTargets(Target.ip("10.0.1.1"));
      g.delete();
      assertThat(nlb.targetGroup("g")).isEmpty();
      assertThat(time.pendingTasks()).isZero();
      assertThat(nlbError(() -> g.addTags(Map.of("a", "b"))).code()).isEqualTo(ErrorCode.TARGET_GROUP_NOT_FOUND);
    }
  }
}
