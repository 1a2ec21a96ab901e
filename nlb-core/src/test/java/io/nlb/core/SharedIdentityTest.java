package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.FlowKey;
import io.nlb.core.routing.IpProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two {@link Nlb}s built with the same {@link Nlb.Builder#identity} stand for two processes of one
 * load balancer: the same ids, ARNs and DNS names, the same seed, the same target for every flow.
 */
@Timeout(120)
class SharedIdentityTest {

  private static final Zone ZONE_A = Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.0.0/16").build();
  private static final Zone ZONE_B = Zone.builder("zone-b").address("127.0.0.2").targetRange("10.1.0.0/16").build();

  /** One "process": the same configuration, but its targets registered in the given order. */
  private static Nlb process(String identity, List<Target> targets, boolean sticky) {
    Nlb nlb = Nlb.builder().scheduler(new ManualScheduler()).identity(identity)
        .quotas(Quotas.builder().targetsPerZonePerLoadBalancer(2000).targetsPerTargetGroup(1000).targetsPerLoadBalancer(3000).build())
        .build();
    TargetGroupConfig.Builder g = TargetGroupConfig.builder("udp", Protocol.UDP, 53).targetType(TargetType.IP)
        .attribute("deregistration_delay.timeout_seconds", "0");
    if (sticky) {
      g.attribute("stickiness.enabled", "true").attribute("stickiness.type", "source_ip");
    }
    TargetGroup tg = nlb.createTargetGroup(g.build());
    nlb.createLoadBalancer(LoadBalancerConfig.builder("edge").zone(ZONE_A).zone(ZONE_B)
        .listener(ListenerConfig.builder(Protocol.UDP, 53).forwardTo("udp").build()).build());
    tg.registerTargets(targets);
    return nlb;
  }

  private static List<Target> targets(int n) {
    List<Target> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Target.ip("10.0." + (i / 250) + "." + (1 + i % 250)));
    }
    return out;
  }

  private static List<Target> reversed(List<Target> in) {
    List<Target> out = new ArrayList<>(in);
    Collections.reverse(out);
    return out;
  }

  @Test
  void identity_sameOnTwoInstances_sameIdsArnsDnsNamesAndSeed() {
    try (Nlb a = process("prod-eu-1", targets(4), false); Nlb b = process("prod-eu-1", reversed(targets(4)), false)) {
      LoadBalancer la = a.loadBalancer("edge").orElseThrow();
      LoadBalancer lb = b.loadBalancer("edge").orElseThrow();
      assertThat(lb.resourceId()).isEqualTo(la.resourceId()).matches("net/edge/[0-9a-f]{16}");
      assertThat(lb.dnsName()).isEqualTo(la.dnsName()).isEqualTo("edge-" + la.id() + ".elb.local");
      assertThat(b.targetGroup("udp").orElseThrow().resourceId()).isEqualTo(a.targetGroup("udp").orElseThrow().resourceId());
      assertThat(lb.listeners().get(0).resourceId()).isEqualTo(la.listeners().get(0).resourceId());
      assertThat(lb.routingSnapshot().flowHashSeed()).isEqualTo(la.routingSnapshot().flowHashSeed());
      // The load balancer, the group and the listener draw different ids.
      assertThat(List.of(la.id(), a.targetGroup("udp").orElseThrow().resourceId(), la.listeners().get(0).id()))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void identity_differs_idsAndSeedDiffer() {
    try (Nlb a = process("prod-eu-1", targets(4), false); Nlb b = process("prod-eu-2", targets(4), false)) {
      assertThat(b.loadBalancer("edge").orElseThrow().id()).isNotEqualTo(a.loadBalancer("edge").orElseThrow().id());
      assertThat(b.loadBalancer("edge").orElseThrow().routingSnapshot().flowHashSeed())
          .isNotEqualTo(a.loadBalancer("edge").orElseThrow().routingSnapshot().flowHashSeed());
    }
  }

  @Test
  void identity_explicitSeed_wins() {
    try (Nlb a = Nlb.builder().identity("x").flowHashSeed(7).build()) {
      a.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).build());
      LoadBalancer lb = a.createLoadBalancer(LoadBalancerConfig.builder("l").zone(ZONE_A)
          .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("g").build()).build());
      assertThat(lb.routingSnapshot().flowHashSeed()).isEqualTo(7);
    }
  }

  @Test
  void identity_recreatedUnderTheSameName_getsTheSameIdBack() {
    try (Nlb a = Nlb.builder().identity("x").build()) {
      TargetGroup g = a.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).build());
      String first = g.resourceId();
      g.delete();
      assertThat(a.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).build()).resourceId())
          .isEqualTo(first);
    }
  }

  @Test
  void identity_invalid_isRefusedWithFieldValueAndRange() {
    assertThatThrownBy(() -> Nlb.builder().identity(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("identity: \"\" (expected: 1-256 characters)");
  }

  @Test
  void withoutIdentity_idsStayRandom() {
    try (Nlb a = process2(); Nlb b = process2()) {
      assertThat(b.loadBalancer("l").orElseThrow().id()).isNotEqualTo(a.loadBalancer("l").orElseThrow().id());
    }
  }

  private static Nlb process2() {
    Nlb n = Nlb.builder().build();
    n.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).build());
    n.createLoadBalancer(LoadBalancerConfig.builder("l").zone(ZONE_A)
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("g").build()).build());
    return n;
  }

  @Test
  void udpFlows_tenThousand_sameTargetOnBothInstances() {
    List<Target> ts = targets(200);
    try (Nlb a = process("prod-eu-1", ts, false); Nlb b = process("prod-eu-1", reversed(ts), false)) {
      LoadBalancer la = a.loadBalancer("edge").orElseThrow();
      LoadBalancer lb = b.loadBalancer("edge").orElseThrow();
      int distinct = sameTargets(la, lb, false);
      assertThat(distinct).as("flows spread over the targets").isGreaterThan(150);
    }
  }

  @Test
  void stickyClients_tenThousand_sameTargetOnBothInstancesWhateverThePort() {
    List<Target> ts = targets(200);
    try (Nlb a = process("prod-eu-1", ts, true); Nlb b = process("prod-eu-1", reversed(ts), true)) {
      int distinct = sameTargets(a.loadBalancer("edge").orElseThrow(), b.loadBalancer("edge").orElseThrow(), true);
      assertThat(distinct).isGreaterThan(150);
    }
  }

  /** Asks both for 10,000 UDP flows; returns how many targets were chosen. */
  private static int sameTargets(LoadBalancer la, LoadBalancer lb, boolean sticky) {
    java.util.Set<String> chosen = new java.util.HashSet<>();
    InetSocketAddress node = new InetSocketAddress("127.0.0.1", 53);
    for (int i = 0; i < 10_000; i++) {
      String client = "198.51." + (i >> 8 & 0xff) + "." + (i & 0xff);
      FlowKey k = FlowKey.udp(new InetSocketAddress(client, 1024 + i % 60000), node);
      RouteDecision da = la.whatIf("zone-a", k);
      RouteDecision db = lb.whatIf("zone-a", k);
      assertThat(da.target()).isPresent();
      assertThat(db.address()).as("flow %s", k).isEqualTo(da.address());
      if (sticky) {
        // Another port of the same client: same target, on either instance.
        FlowKey other = FlowKey.udp(new InetSocketAddress(client, 40000 + i % 20000), node);
        assertThat(lb.whatIf("zone-a", other).address()).as("client %s", client).isEqualTo(da.address());
      }
      chosen.add(String.valueOf(da.address()));
    }
    return chosen.size();
  }

  @Test
  void maglev_oneOfAThousandTargetsRemovedOrAdded_movesAtMostOnePercentOfAMillionFlows_theSameOnBothInstances() {
    List<Target> ts = targets(1000);
    try (Nlb a = process("prod-eu-1", ts, false); Nlb b = process("prod-eu-1", reversed(ts), false)) {
      LoadBalancer la = a.loadBalancer("edge").orElseThrow();
      LoadBalancer lb = b.loadBalancer("edge").orElseThrow();
      int[] beforeA = assign(la);
      int[] beforeB = assign(lb);
      assertThat(beforeB).isEqualTo(beforeA);

      Target gone = ts.get(417);
      a.targetGroup("udp").orElseThrow().deregisterTargets(gone);
      b.targetGroup("udp").orElseThrow().deregisterTargets(gone);
      int[] removedA = assign(la);
      int[] removedB = assign(lb);
      BitSet movedA = moved(beforeA, removedA);
      BitSet movedB = moved(beforeB, removedB);
      assertThat(movedA).isEqualTo(movedB);
      assertThat(movedA.cardinality()).isLessThanOrEqualTo(FLOWS / 100).isGreaterThan(0);

      a.targetGroup("udp").orElseThrow().registerTargets(gone);
      b.targetGroup("udp").orElseThrow().registerTargets(gone);
      int[] addedA = assign(la);
      int[] addedB = assign(lb);
      BitSet back = moved(removedA, addedA);
      assertThat(back).isEqualTo(moved(removedB, addedB));
      assertThat(back.cardinality()).isLessThanOrEqualTo(FLOWS / 100);
      assertThat(addedA).isEqualTo(beforeA).isEqualTo(addedB);
    }
  }

  private static final int FLOWS = 1_000_000;

  /** The target (as the int of its IPv4 address) of each of a million UDP flows at zone-a's node. */
  private static int[] assign(LoadBalancer lb) {
    RoutingSnapshot s = lb.routingSnapshot();
    NodeRoute node = java.util.Objects.requireNonNull(java.util.Objects.requireNonNull(s.listener(IpProtocol.UDP, 53)).node("zone-a"));
    int[] out = new int[FLOWS];
    int nodeAddr = 0x7F000001;
    for (int i = 0; i < FLOWS; i++) {
      long h = FlowHash.ipv4(s.flowHashSeed(), IpProtocol.UDP, 0xC6330000 | (i >>> 4), 1024 + (i & 15), nodeAddr, 53, 0);
      RouteTarget t = java.util.Objects.requireNonNull(node.select(h));
      byte[] ip = java.util.Objects.requireNonNull(t.address(h)).getAddress().getAddress();
      out[i] = (ip[0] & 0xff) << 24 | (ip[1] & 0xff) << 16 | (ip[2] & 0xff) << 8 | (ip[3] & 0xff);
    }
    return out;
  }

  private static BitSet moved(int[] before, int[] after) {
    BitSet out = new BitSet(before.length);
    for (int i = 0; i < before.length; i++) {
      if (before[i] != after[i]) {
        out.set(i);
      }
    }
    return out;
  }
}
