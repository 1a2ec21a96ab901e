package io.nlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.HealthCheck;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetSet;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler fed with {@link DesiredTargets} values directly, as a control plane would feed
 * it: no poll, no load balancer, a manual clock and a probe that answers at once.
 */
class ReconcilerTest {
  static final HealthCheck FIVE = HealthCheck.builder().interval(Duration.ofSeconds(5)).build();
  static final CheckNode A = new CheckNode("zone-a", "10.0.0.10:80");
  static final CheckNode B = new CheckNode("zone-b", "10.0.0.20:80");
  static final Zone ZONE_A = Zone.builder("zone-a").address("10.0.0.10").targetRange("10.0.1.0/24").build();
  static final Zone ZONE_B = Zone.builder("zone-b").address("10.0.0.20").targetRange("10.0.2.0/24").build();

  final ManualScheduler time = new ManualScheduler();
  final Nlb nlb = Nlb.builder().scheduler(time).build();
  final TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
  final List<ProbeRequest> requests = new ArrayList<>();
  final CheckScheduler checks = new CheckScheduler(time, () -> 0L, 0, (r, done) -> {
    requests.add(r);
    done.accept(ProbeResult.of(CheckOutcome.SUCCESS, "scripted"));
  }, ProbePreamble.NONE, null);
  final HealthReporter reporter = new HealthReporter(time, Duration.ZERO, List.of(), (group, healths) -> java.util.Map.of(), () -> {});
  final Reconciler reconciler = new Reconciler(checks, reporter);

  @AfterEach
  void tearDown() {
    reconciler.close();
    nlb.close();
  }

  RegisteredTarget register(String ip) {
    web.registerTargets(Target.ip(ip));
    return web.registeredTargets().stream().filter(r -> r.id().equals(ip)).findFirst().orElseThrow();
  }

  DesiredTargets.Entry entry(RegisteredTarget r, HealthCheck settings, CheckNode... nodes) {
    TargetSet.Member m = new TargetSet.Member(r.registrationId(), r.target(), r.port(), "zone-a", List.of(r.address()), r.health(),
        false, false);
    TargetSet.Use use = new TargetSet.Use("net/my-nlb/0000000000000001", List.of(ZONE_A, ZONE_B), web.resourceId(), 80,
        settings, false, List.of(m));
    return new DesiredTargets.Entry(use, m, List.of(nodes));
  }

  @Test
  void apply_newTargets_checkedFromEveryNode() {
    RegisteredTarget t = register("10.0.1.5");
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A, B))));
    time.runDueTasks();
    assertThat(reconciler.size()).isEqualTo(1);
    assertThat(requests).extracting(ProbeRequest::host).containsExactlyInAnyOrder("10.0.0.10:80", "10.0.0.20:80");
  }

  @Test
  void apply_targetGone_stopsItsChecks() {
    RegisteredTarget t = register("10.0.1.5");
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A))));
    time.runDueTasks();
    reconciler.apply(DesiredTargets.NONE);
    time.advance(Duration.ofSeconds(30));
    assertThat(reconciler.size()).isZero();
    assertThat(requests).hasSize(1);
  }

  @Test
  void apply_sameTargetNewSettings_keepsTheChainAndUsesThemFromTheNextCheck() {
    RegisteredTarget t = register("10.0.1.5");
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A))));
    time.runDueTasks();
    TrackedTarget before = reconciler.get(t.registrationId());
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE.toBuilder().port(7000).build(), A))));
    assertThat(reconciler.get(t.registrationId())).isSameAs(before);
    time.advance(Duration.ofSeconds(5));
    assertThat(requests).extracting(r -> r.address().getPort()).containsExactly(8080, 7000);
  }

  @Test
  void apply_otherNodes_restartsTheTarget() {
    RegisteredTarget t = register("10.0.1.5");
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A))));
    TrackedTarget before = java.util.Objects.requireNonNull(reconciler.get(t.registrationId()));
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A, B))));
    assertThat(reconciler.get(t.registrationId())).isNotSameAs(before);
    assertThat(before.isRemoved()).isTrue();
  }

  @Test
  void apply_afterClose_addsNothing() {
    RegisteredTarget t = register("10.0.1.5");
    reconciler.close();
    reconciler.apply(new DesiredTargets(List.of(entry(t, FIVE, A))));
    assertThat(reconciler.size()).isZero();
  }

  @Test
  void entry_withoutNodes_refusedNamingTheField() {
    RegisteredTarget t = register("10.0.1.5");
    assertThatThrownBy(() -> entry(t, FIVE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodes: [] (expected: at least one checking node)");
  }
}
