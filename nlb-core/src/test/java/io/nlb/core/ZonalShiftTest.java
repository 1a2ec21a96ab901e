package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Zonal shift: start, update, cancel, expiry bounds, one zone at a time, cross-zone exclusion, effect on DNS and routing. */
class ZonalShiftTest {
  private final ManualScheduler time = new ManualScheduler();
  private final List<Target> a = Fixtures.targets(1, 3);
  private final List<Target> b = Fixtures.targets(2, 3);

  private LoadBalancer setUp(Nlb nlb) {
    TargetGroup g = Fixtures.ipGroup(nlb, "g");
    LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
    g.registerTargets(a);
    g.registerTargets(b);
    Fixtures.healthy(g, a);
    Fixtures.healthy(g, b);
    return lb;
  }

  private static Set<String> ids(List<Target> targets) {
    Set<String> out = new HashSet<>();
    targets.forEach(t -> out.add(t.id()));
    return out;
  }

  private static Set<String> reached(LoadBalancer lb, String zone) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      lb.whatIf(zone, Fixtures.flow(i)).target().ifPresent(t -> out.add(t.id()));
    }
    return out;
  }

  @Test
  void start_takesZoneOutOfDnsAndItsNodeRoutesElsewhere() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      Instant now = time.now();
      ZonalShift shift = lb.startZonalShift("zone-b", Duration.ofMinutes(30), "zone-b impaired");
      assertThat(shift.zone()).isEqualTo("zone-b");
      assertThat(shift.startTime()).isEqualTo(now);
      assertThat(shift.expiryTime()).isEqualTo(now.plus(Duration.ofMinutes(30)));
      assertThat(shift.comment()).isEqualTo("zone-b impaired");
      assertThat(lb.zonalShift()).containsSame(shift);
      assertThat(lb.routingSnapshot().zonalShift()).containsSame(shift);

      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a");
      assertThat(reached(lb, "zone-b")).isEqualTo(ids(a));
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
    }
  }

  @Test
  void expiry_restoresEverything() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.startZonalShift("zone-b", Duration.ofMinutes(1), "test");
      time.advance(Duration.ofSeconds(59));
      assertThat(lb.zonalShift()).isPresent();
      time.advance(Duration.ofSeconds(1));
      assertThat(lb.zonalShift()).isEmpty();
      assertThat(lb.routingSnapshot().zonalShift()).isEmpty();
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
      assertThat(reached(lb, "zone-b")).isEqualTo(ids(b));
    }
  }

  @Test
  void cancel_restoresEverything() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.startZonalShift("zone-a", Duration.ofHours(1), "test");
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-b");
      lb.cancelZonalShift();
      assertThat(lb.zonalShift()).isEmpty();
      assertThat(lb.dnsRecords().zones()).containsExactly("zone-a", "zone-b");
      assertThat(reached(lb, "zone-a")).isEqualTo(ids(a));
      assertThat(time.pendingTasks()).isZero();
      NlbException e = nlbError(lb::cancelZonalShift);
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).containsExactly("zonalShift: null (expected: an active zonal shift to cancel)");
    }
  }

  @Test
  void update_extendsExpiryAndKeepsStart() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      ZonalShift first = lb.startZonalShift("zone-b", Duration.ofMinutes(10), "first");
      time.advance(Duration.ofMinutes(5));
      ZonalShift second = lb.updateZonalShift(Duration.ofMinutes(10), "second");
      assertThat(second.zone()).isEqualTo("zone-b");
      assertThat(second.startTime()).isEqualTo(first.startTime());
      assertThat(second.expiryTime()).isEqualTo(time.now().plus(Duration.ofMinutes(10)));
      assertThat(second.comment()).isEqualTo("second");
      time.advance(Duration.ofMinutes(6)); // past the first expiry
      assertThat(lb.zonalShift()).containsSame(second);
      time.advance(Duration.ofMinutes(4));
      assertThat(lb.zonalShift()).isEmpty();
    }
  }

  @Test
  void update_withoutShift_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      assertThat(nlbError(() -> lb.updateZonalShift(Duration.ofMinutes(5), "x")).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
    }
  }

  @Test
  void expiry_1MinuteAnd72Hours_areAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.startZonalShift("zone-b", Duration.ofMinutes(1), "min");
      lb.updateZonalShift(Duration.ofHours(72), "max");
      assertThat(lb.zonalShift().orElseThrow().expiryTime()).isEqualTo(time.now().plus(Duration.ofHours(72)));
    }
  }

  @Test
  void expiry_59SecondsAnd72HoursPlus1Second_areRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      NlbException e = nlbError(() -> lb.startZonalShift("zone-b", Duration.ofSeconds(59), "x"));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e).hasMessage("ValidationError: zonalShift.expiresIn: PT59S (expected: 1 minute to 72 hours)");
      NlbException f = nlbError(() -> lb.startZonalShift("zone-b", Duration.ofHours(72).plusSeconds(1), "x"));
      assertThat(f.problems()).containsExactly("zonalShift.expiresIn: PT72H1S (expected: 1 minute to 72 hours)");
      assertThat(lb.zonalShift()).isEmpty();
      lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x");
      assertThat(nlbError(() -> lb.updateZonalShift(Duration.ofSeconds(59), "x")).code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(lb.zonalShift().orElseThrow().comment()).isEqualTo("x");
    }
  }

  @Test
  void secondZone_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.addZone(Fixtures.zoneC());
      lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x");
      NlbException e = nlbError(() -> lb.startZonalShift("zone-c", Duration.ofMinutes(5), "y"));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).containsExactly(
          "zonalShift.zone: \"zone-c\" (expected: no other shift active; one is already away from zone-b (update or cancel it))");
      assertThat(lb.zonalShift().orElseThrow().zone()).isEqualTo("zone-b");
    }
  }

  @Test
  void unknownZone_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      NlbException e = nlbError(() -> lb.startZonalShift("zone-x", Duration.ofMinutes(5), "x"));
      assertThat(e.code()).isEqualTo(ErrorCode.AVAILABILITY_ZONE_NOT_SUPPORTED);
      assertThat(e.problems()).containsExactly("zonalShift.zone: \"zone-x\" (expected: an enabled zone [zone-a, zone-b])");
    }
  }

  @Test
  void crossZoneOnLoadBalancer_refusesShift() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      NlbException e = nlbError(() -> lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x"));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e).hasMessage("OperationNotPermitted: load_balancing.cross_zone.enabled: \"true\" "
          + "(expected: false; zonal shift is not supported with cross-zone load balancing)");
      assertThat(lb.zonalShift()).isEmpty();
    }
  }

  @Test
  void crossZoneExplicitOnGroup_refusesShift() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      nlb.targetGroup("g").orElseThrow().modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      NlbException e = nlbError(() -> lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x"));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).singleElement().asString().startsWith("targetGroup[g].load_balancing.cross_zone.enabled: \"true\"");
    }
  }

  @Test
  void enablingCrossZoneDuringShift_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      TargetGroup g = nlb.targetGroup("g").orElseThrow();
      lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x");
      NlbException e = nlbError(() -> lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).containsExactly(
          "load_balancing.cross_zone.enabled: \"true\" (expected: false while a zonal shift is active (away from zone-b))");
      assertThat(lb.attributes().crossZoneEnabled()).isFalse();
      NlbException f = nlbError(() -> g.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true")));
      assertThat(f.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(g.attributes().crossZone()).isEqualTo(CrossZone.USE_LOAD_BALANCER_CONFIGURATION);
    }
  }

  @Test
  void attachingCrossZoneGroupDuringShift_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      nlb.createTargetGroup(TargetGroupConfig.builder("x", Protocol.TCP, 80).targetType(TargetType.IP)
          .attribute("load_balancing.cross_zone.enabled", "true").build());
      lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x");
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tcp(81, "x")));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(e.problems()).containsExactly("listener[TCP:81].defaultAction.targetGroup: \"x\" (expected: a group without "
          + "load_balancing.cross_zone.enabled true while a zonal shift is active (away from zone-b))");
      assertThat(lb.listeners()).hasSize(1);
      Listener l = lb.listeners().get(0);
      assertThat(nlbError(() -> l.modify(l.config().toBuilder().forwardTo("x").build())).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
      assertThat(l.config().targetGroup()).isEqualTo("g");
      lb.cancelZonalShift();
      lb.createListener(Fixtures.tcp(81, "x"));
    }
  }

  @Test
  void singleZoneLoadBalancer_refusesShift() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      assertThat(nlbError(() -> lb.startZonalShift("zone-a", Duration.ofMinutes(5), "x")).code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
    }
  }

  @Test
  void deletedLoadBalancer_shiftTimerIsCancelled() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = setUp(nlb);
      lb.startZonalShift("zone-b", Duration.ofMinutes(5), "x");
      lb.delete();
      assertThat(time.pendingTasks()).isZero();
    }
  }
}
