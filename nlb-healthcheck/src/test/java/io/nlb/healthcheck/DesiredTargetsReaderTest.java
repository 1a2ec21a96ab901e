package io.nlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.HealthCheck;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the poll reads from the public API: which targets, which nodes, which Host header, which settings. */
class DesiredTargetsReaderTest {
  final Nlb nlb = Nlb.builder().build();
  final TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP)
      .healthCheck(HealthCheck.builder().interval(Duration.ofSeconds(10)).build()).build());

  @AfterEach
  void tearDown() {
    nlb.close();
  }

  /** The engine's view: the target set the control plane delivers, and nothing read from the Nlb. */
  DesiredTargets read(Consensus consensus) {
    java.util.concurrent.atomic.AtomicReference<io.nlb.core.TargetSet> set = new java.util.concurrent.atomic.AtomicReference<>();
    io.nlb.core.TargetSetListener l = set::set;
    nlb.addTargetSetListener(l);
    nlb.removeTargetSetListener(l);
    return DesiredTargetsReader.from(java.util.Objects.requireNonNull(set.get()), consensus);
  }

  void twoZones() {
    nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
        .zone(Zone.builder("zone-a").address("10.0.0.10").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("10.0.0.20").targetRange("10.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 443).forwardTo("web").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
  }

  @Test
  void read_singleNode_targetsWithTheirZoneNodeLowestListenerPortAndSettings() {
    twoZones();
    web.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5", 9000));
    DesiredTargets d = read(Consensus.SINGLE_NODE);
    assertThat(d.entries()).extracting(e -> e.member().target().id() + ":" + e.member().port() + " " + e.zone() + " " + e.nodes()
            + " " + e.healthCheck().interval())
        .containsExactlyInAnyOrder(
            "10.0.1.5:8080 zone-a [CheckNode[zone=zone-a, host=10.0.0.10:80]] PT10S",
            "10.0.2.5:9000 zone-b [CheckNode[zone=zone-b, host=10.0.0.20:80]] PT10S");
    assertThat(d.entries()).allSatisfy(e -> assertThat(e.groupResourceId()).isEqualTo(web.resourceId()));
  }

  @Test
  void read_majority_everyZoneChecksEveryTarget() {
    twoZones();
    web.registerTargets(Target.ip("10.0.1.5"));
    DesiredTargets d = read(Consensus.MAJORITY);
    assertThat(d.entries()).singleElement().satisfies(e -> assertThat(e.nodes()).containsExactly(
        new CheckNode("zone-a", "10.0.0.10:80"), new CheckNode("zone-b", "10.0.0.20:80")));
  }

  @Test
  void read_unusedTargetsAndGroupsWithoutListener_absent() {
    twoZones();
    web.registerTargets(Target.ip("10.0.9.5")); // outside every enabled zone: unused
    TargetGroup idle = nlb.createTargetGroup(TargetGroupConfig.builder("idle", Protocol.TCP, 8080).targetType(TargetType.IP).build());
    idle.registerTargets(Target.ip("10.0.1.7"));
    assertThat(read(Consensus.MAJORITY).entries()).isEmpty();
  }

  @Test
  void read_noLoadBalancer_nothing() {
    web.registerTargets(Target.ip("10.0.1.5"));
    assertThat(read(Consensus.MAJORITY)).isEqualTo(DesiredTargets.NONE);
  }

}
