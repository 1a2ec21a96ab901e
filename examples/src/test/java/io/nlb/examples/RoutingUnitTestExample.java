package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RouteDecision;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.routing.FlowKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How to unit-test routing logic with the library: in-process, no sockets, no sleeping.
 *
 * <p>An {@link Nlb} built without a transport binds nothing; the routing engine still runs, and
 * {@link LoadBalancer#whatIf(String, FlowKey)} answers exactly as the data plane would for a new
 * flow arriving at a zone's node. Health is reported by hand ({@link TargetGroup#reportHealth}),
 * as the health-check engine would. Time comes from a {@link ManualScheduler}, so a 30-second
 * deregistration delay or a 30-minute zonal shift passes with one call to {@code advance}. A fixed
 * {@code flowHashSeed} makes assignments repeatable from run to run.
 *
 * <p>Copy this class as the start of your own tests.
 */
class RoutingUnitTestExample {
  private static final Target A1 = Target.ip("10.0.1.10");
  private static final Target A2 = Target.ip("10.0.1.11");
  private static final Target B1 = Target.ip("10.0.2.10");
  private static final Target B2 = Target.ip("10.0.2.11");

  private final ManualScheduler time = new ManualScheduler();
  private Nlb nlb;
  private TargetGroup web;
  private LoadBalancer lb;

  @BeforeEach
  void setUp() {
    nlb = Nlb.builder().scheduler(time).flowHashSeed(42).build();
    web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080)
        .targetType(TargetType.IP)
        .attribute("deregistration_delay.timeout_seconds", "30")
        .build());
    lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
        .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo(web).build())
        .build());
    web.registerTargets(A1, A2, B1, B2);
    for (Target t : List.of(A1, A2, B1, B2)) {
      web.reportHealth(t, TargetHealth.healthy());
    }
  }

  @AfterEach
  void tearDown() {
    nlb.close();
  }

  @Test
  void whatIf_crossZoneOff_eachNodeKeepsToItsZone() {
    for (FlowKey flow : flows("127.0.0.1", 1_000)) {
      assertThat(targetOf(lb.whatIf("zone-a", flow))).isIn("10.0.1.10", "10.0.1.11");
    }
    for (FlowKey flow : flows("127.0.0.2", 1_000)) {
      assertThat(targetOf(lb.whatIf("zone-b", flow))).isIn("10.0.2.10", "10.0.2.11");
    }
  }

  @Test
  void whatIf_crossZoneOn_nodeReachesEveryZone() {
    lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));

    Map<String, Integer> spread = new HashMap<>();
    for (FlowKey flow : flows("127.0.0.1", 1_000)) {
      spread.merge(targetOf(lb.whatIf("zone-a", flow)), 1, Integer::sum);
    }
    assertThat(spread).containsOnlyKeys("10.0.1.10", "10.0.1.11", "10.0.2.10", "10.0.2.11");
  }

  @Test
  void reportHealth_targetUnhealthy_onlyItsFlowsMove() {
    List<FlowKey> flows = flows("127.0.0.1", 2_000);
    List<String> before = new ArrayList<>();
    for (FlowKey flow : flows) {
      before.add(targetOf(lb.whatIf("zone-a", flow)));
    }

    web.reportHealth(A1, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));

    for (int i = 0; i < flows.size(); i++) {
      RouteDecision now = lb.whatIf("zone-a", flows.get(i));
      assertThat(now.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
      if (before.get(i).equals("10.0.1.10")) {
        assertThat(targetOf(now)).isEqualTo("10.0.1.11"); // moved to the zone's other target
      } else {
        assertThat(targetOf(now)).isEqualTo(before.get(i)); // untouched
      }
    }
  }

  @Test
  void reportHealth_allZoneTargetsUnhealthy_nodeFailsOpen() {
    web.reportHealth(A1, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    web.reportHealth(A2, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));

    // With no healthy target in scope the node routes to all of them rather than to none.
    RouteDecision d = lb.whatIf("zone-a", flows("127.0.0.1", 1).get(0));
    assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED_FAIL_OPEN);
    assertThat(targetOf(d)).isIn("10.0.1.10", "10.0.1.11");
  }

  @Test
  void deregisterTargets_drainsForTheDelay_thenIsGone() {
    web.deregisterTargets(B1);

    // Draining: no new flows, reason Target.DeregistrationInProgress.
    assertThat(web.describeTargetHealth(B1).get(0).health().reason())
        .hasValue(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS);
    for (FlowKey flow : flows("127.0.0.2", 1_000)) {
      assertThat(targetOf(lb.whatIf("zone-b", flow))).isEqualTo("10.0.2.11");
    }

    time.advance(Duration.ofSeconds(29));
    assertThat(web.describeTargetHealth(B1).get(0).health().state()).isEqualTo(TargetHealthState.DRAINING);

    time.advance(Duration.ofSeconds(1)); // deregistration_delay.timeout_seconds = 30
    assertThat(web.describeTargetHealth(B1).get(0).health().reason()).hasValue(TargetHealthReason.TARGET_NOT_REGISTERED);
    assertThat(web.registeredTargets()).hasSize(3);
  }

  @Test
  void startZonalShift_zoneLeavesDns_untilTheShiftExpires() throws Exception {
    InetAddress nodeA = InetAddress.getByName("127.0.0.1");
    InetAddress nodeB = InetAddress.getByName("127.0.0.2");
    assertThat(lb.dnsRecords().addresses()).containsExactly(nodeA, nodeB);

    lb.startZonalShift("zone-b", Duration.ofMinutes(30), "zone-b impaired");
    assertThat(lb.dnsRecords().addresses()).containsExactly(nodeA);

    time.advance(Duration.ofMinutes(29));
    assertThat(lb.zonalShift()).isPresent();
    time.advance(Duration.ofMinutes(1));
    assertThat(lb.zonalShift()).isEmpty();
    assertThat(lb.dnsRecords().addresses()).containsExactly(nodeA, nodeB);
  }

  @Test
  void whatIf_sameSeed_sameAnswer() {
    // Repeatable: the same flow through the same configuration and seed always lands on the same
    // target, so a test may pin assignments it cares about.
    FlowKey flow = FlowKey.tcp(new InetSocketAddress("198.51.100.7", 50123), new InetSocketAddress("127.0.0.1", 80), 0x5eed);
    String first = targetOf(lb.whatIf("zone-a", flow));
    try (Nlb again = Nlb.builder().scheduler(new ManualScheduler()).flowHashSeed(42).build()) {
      TargetGroup g = again.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
      LoadBalancer l = again.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
          .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo(g).build())
          .build());
      g.registerTargets(A1, A2, B1, B2);
      for (Target t : List.of(A1, A2, B1, B2)) {
        g.reportHealth(t, TargetHealth.healthy());
      }
      assertThat(targetOf(l.whatIf("zone-a", flow))).isEqualTo(first);
    }
  }

  /** {@code n} TCP flows from random clients to a node, the same ones on every run. */
  private static List<FlowKey> flows(String node, int n) {
    SplittableRandom random = new SplittableRandom(7);
    List<FlowKey> flows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      InetSocketAddress client = new InetSocketAddress("198.51.100." + (1 + random.nextInt(254)), 1024 + random.nextInt(60_000));
      // The third argument stands in for the TCP initial sequence number, which the hash includes.
      flows.add(FlowKey.tcp(client, new InetSocketAddress(node, 80), random.nextInt()));
    }
    return flows;
  }

  private static String targetOf(RouteDecision d) {
    return d.address().orElseThrow().getAddress().getHostAddress();
  }
}
