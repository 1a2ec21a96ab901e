package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.routing.FlowKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Instance targets follow their instance's state: stopped ones are unused and get no new flows. */
class InstanceRefreshTest {
  private static final String ID = "i-0123456789abcdef0";

  private final ManualScheduler time = new ManualScheduler();
  private final Map<String, InstanceResolver.Instance> inventory = new ConcurrentHashMap<>();
  private final Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(3).instanceResolver(inventory::get)
      .instanceRefreshInterval(Duration.ofSeconds(10)).build();

  @AfterEach
  void close() {
    nlb.close();
  }

  private static InetAddress address(String literal) {
    return Addresses.parseLiteral("test", literal);
  }

  @Test
  void refresh_instanceStopsThenRuns_reasonAndRoutingFollow() {
    inventory.put(ID, InstanceResolver.Instance.running(address("10.0.1.5"), "zone-a"));
    TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).build());
    LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb")
        .zone(Zone.of("zone-a", "127.0.0.1"))
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    tg.registerTargets(Target.instance(ID));
    tg.reportHealth(Target.instance(ID), TargetHealth.healthy());
    FlowKey flow = FlowKey.tcp(new InetSocketAddress("198.51.100.1", 4000), new InetSocketAddress("127.0.0.1", 80), 1);
    assertThat(lb.whatIf("zone-a", flow).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);

    inventory.put(ID, new InstanceResolver.Instance(address("10.0.1.5"), "zone-a", InstanceResolver.State.STOPPED));
    time.advance(Duration.ofSeconds(9));
    assertThat(tg.describeTargetHealth().get(0).health().isHealthy()).isTrue();
    time.advance(Duration.ofSeconds(1));

    TargetHealth h = tg.describeTargetHealth().get(0).health();
    assertThat(h.state()).isEqualTo(TargetHealthState.UNUSED);
    assertThat(h.reason()).contains(TargetHealthReason.TARGET_INVALID_STATE);
    assertThat(h.description()).contains("Target is in the stopped state");
    assertThat(lb.whatIf("zone-a", flow).outcome()).isEqualTo(RouteDecision.Outcome.NO_TARGET);

    inventory.put(ID, InstanceResolver.Instance.running(address("10.0.1.5"), "zone-a"));
    time.advance(Duration.ofSeconds(10));
    assertThat(tg.describeTargetHealth().get(0).health().isHealthy()).isTrue();
    assertThat(lb.whatIf("zone-a", flow).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
  }

  @Test
  void refresh_instanceForgotten_isTerminated() {
    inventory.put(ID, InstanceResolver.Instance.running(address("10.0.1.5"), "zone-a"));
    TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).build());
    nlb.createLoadBalancer(LoadBalancerConfig.builder("lb")
        .zone(Zone.of("zone-a", "127.0.0.1"))
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    tg.registerTargets(Target.instance(ID));
    inventory.remove(ID);

    nlb.refreshInstances();

    assertThat(tg.describeTargetHealth().get(0).health().description()).contains("Target is in the terminated state");
  }
}
