package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.routing.AllocationMeter;
import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.IpProtocol;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the data plane does per new flow — read the snapshot, find the node, hash, select, take
 * the target's address — allocates nothing, in every routing mode.
 */
class NodeRouteAllocationTest {
  private static final int FLOWS = 1024;
  private static final int MASK = FLOWS - 1;

  private final Nlb nlb = Nlb.builder().scheduler(new ManualScheduler()).flowHashSeed(9).build();
  private final int[] sources = new int[FLOWS];
  private final int[] ports = new int[FLOWS];

  NodeRouteAllocationTest() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < FLOWS; i++) {
      sources[i] = random.nextInt();
      ports[i] = random.nextInt(65536);
    }
  }

  @AfterEach
  void close() {
    nlb.close();
  }

  private LoadBalancer loadBalancer(int healthy) {
    TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).targetType(TargetType.IP).build());
    LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb")
        .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.0.0/8").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    for (int i = 0; i < 20; i++) {
      Target t = Target.ip("10.0.0." + (i + 1));
      tg.registerTargets(t);
      if (i < healthy) {
        tg.reportHealth(t, TargetHealth.healthy());
      }
    }
    return lb;
  }

  private LongSupplier perFlow(LoadBalancer lb) {
    return new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        int f = i++ & MASK;
        RoutingSnapshot s = lb.routingSnapshot();
        ListenerRoute l = Objects.requireNonNull(s.listener(IpProtocol.TCP, 80));
        NodeRoute node = l.node(0);
        long hash = FlowHash.ipv4(s.flowHashSeed(), IpProtocol.TCP, sources[f], ports[f], 0x7F000001, 80, f);
        RouteTarget t = Objects.requireNonNull(node.select(hash));
        InetSocketAddress a = Objects.requireNonNull(t.address(hash));
        return a.getPort() + t.registrationId();
      }
    };
  }

  @Test
  void select_someTargetsUnhealthy_allocatesNothing() {
    LoadBalancer lb = loadBalancer(15);
    assertThat(lb.routingSnapshot().listeners().get(0).node(0).mode()).isEqualTo(NodeRoute.Mode.HEALTHY);

    assertThat(AllocationMeter.allocatedBytes(perFlow(lb), 100_000)).isZero();
  }

  @Test
  void select_failingOpen_allocatesNothing() {
    LoadBalancer lb = loadBalancer(0);
    assertThat(lb.routingSnapshot().listeners().get(0).node(0).mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);

    assertThat(AllocationMeter.allocatedBytes(perFlow(lb), 100_000)).isZero();
  }
}
