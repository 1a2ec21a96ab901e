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
      assertThat(use.group()).isSameAs(web);
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
}
