package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The target set the control plane delivers to its target-set listeners: values, told at once and on changes. */
class TargetSetTest {
  private final ManualScheduler time = new ManualScheduler();

  @Test
  void addTargetSetListener_toldAtOnceThenOnEveryChange_withTheTargetsAsValues() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup web = Fixtures.ipGroup(nlb, "web");
      LoadBalancer lb = Fixtures.lb(nlb, "my-nlb", "web");
      web.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5", 9000), Target.ip("10.0.9.9"));
      List<TargetSet> told = new ArrayList<>();
      nlb.addTargetSetListener(told::add);
      assertThat(told).hasSize(1);
      TargetSet.Use use = told.get(0).uses().get(0);
      assertThat(use.loadBalancerResourceId()).isEqualTo(lb.resourceId());
      assertThat(use.groupResourceId()).isEqualTo(web.resourceId());
      assertThat(use.listenerPort()).isEqualTo(80);
      assertThat(use.zones()).extracting(Zone::name).containsExactly("zone-a", "zone-b");
      assertThat(use.healthCheck()).isEqualTo(web.healthCheck());
      // 10.0.9.9 is in no enabled zone: unused, so not to be checked.
      assertThat(use.members()).extracting(m -> m.target().id() + ":" + m.port() + " " + m.zone() + " " + m.addresses()
              + " " + m.health().state() + " draining=" + m.draining())
          .containsExactly("10.0.1.5:8080 zone-a [/10.0.1.5:8080] initial draining=false",
              "10.0.2.5:9000 zone-b [/10.0.2.5:9000] initial draining=false");

      web.deregisterTargets(Target.ip("10.0.1.5"));
      TargetSet after = told.get(told.size() - 1);
      assertThat(after.uses().get(0).members()).extracting(m -> m.target().id() + " draining=" + m.draining())
          .containsExactly("10.0.1.5 draining=true", "10.0.2.5 draining=false");
      // The first set is a value: the deregistration did not change it.
      assertThat(told.get(0).uses().get(0).members()).extracting(TargetSet.Member::draining).containsExactly(false, false);
    }
  }

  @Test
  void targetSet_healthReportsAloneTellNothing_removedListenerToldNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup web = Fixtures.ipGroup(nlb, "web");
      Fixtures.lb(nlb, "my-nlb", "web");
      web.registerTargets(Target.ip("10.0.1.5"));
      List<TargetSet> told = new ArrayList<>();
      TargetSetListener l = told::add;
      nlb.addTargetSetListener(l);
      web.reportHealth(Map.of(Target.ip("10.0.1.5"), TargetHealth.healthy()));
      assertThat(told).hasSize(1);
      web.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "0"));
      assertThat(told).hasSizeGreaterThan(1);
      assertThat(told.get(told.size() - 1).uses().get(0).members().get(0).health()).isEqualTo(TargetHealth.healthy());
      nlb.removeTargetSetListener(l);
      int before = told.size();
      web.deregisterTargets(Target.ip("10.0.1.5"));
      time.advance(Duration.ofMinutes(10));
      assertThat(told).hasSize(before);
    }
  }

  @Test
  void reportHealth_byIds_appliesFoundTellsListenersAndSkipsStaleIds() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup web = Fixtures.ipGroup(nlb, "web");
      LoadBalancer lb = Fixtures.lb(nlb, "my-nlb", "web");
      web.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "0"));
      web.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5"));
      List<TargetSet> told = new ArrayList<>();
      nlb.addTargetSetListener(told::add);
      TargetSet.Use use = told.get(0).uses().get(0);
      long a = use.members().get(0).registrationId();
      long b = use.members().get(1).registrationId();
      List<String> transitions = new ArrayList<>();
      nlb.addTargetHealthListener((t, p, c) -> transitions.add(t.id() + " " + p.state() + " -> " + c.state()));
      web.deregisterTargets(Target.ip("10.0.2.5")); // b is stale from here on

      Map<Long, TargetHealth> report = new java.util.LinkedHashMap<>();
      report.put(a, TargetHealth.healthy());
      report.put(b, TargetHealth.healthy());
      report.put(-1L, TargetHealth.healthy());
      Map<Long, RegisteredTarget> found = nlb.reportHealth(use.groupResourceId(), report);

      assertThat(found).containsOnlyKeys(a);
      assertThat(java.util.Objects.requireNonNull(found.get(a)).id()).isEqualTo("10.0.1.5");
      assertThat(web.describeTargetHealth(Target.ip("10.0.1.5")).get(0).health()).isEqualTo(TargetHealth.healthy());
      assertThat(transitions).containsExactly("10.0.1.5 initial -> healthy");
      assertThat(nlb.reportHealth("no-such-group", Map.of(a, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS)))).isEmpty();
      lb.delete();
      web.delete();
      assertThat(nlb.reportHealth(use.groupResourceId(), Map.of(a, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS)))).isEmpty();
      assertThat(transitions).hasSize(1);
      NlbException e = Fixtures.nlbError(() -> nlb.reportHealth(use.groupResourceId(), Map.of(a,
          TargetHealth.of(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS))));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    }
  }

  @Test
  void runnableListener_isToldOnChangesOnly_throughTheSameRegistry() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup web = Fixtures.ipGroup(nlb, "web");
      Fixtures.lb(nlb, "my-nlb", "web");
      int[] runs = new int[1];
      Runnable r = () -> runs[0]++;
      nlb.addTargetSetListener(r);
      assertThat(runs[0]).isZero(); // unlike a value listener, not told when added
      web.registerTargets(Target.ip("10.0.1.5"));
      int afterRegister = runs[0];
      assertThat(afterRegister).isPositive(); // one change may tell it more than once
      web.reportHealth(Target.ip("10.0.1.5"), TargetHealth.healthy());
      assertThat(runs[0]).isEqualTo(afterRegister);
      nlb.removeTargetSetListener(r);
      web.registerTargets(Target.ip("10.0.1.6"));
      assertThat(runs[0]).isEqualTo(afterRegister);
    }
  }
}
