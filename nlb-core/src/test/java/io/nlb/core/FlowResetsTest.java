package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What open flows learn is computed from the difference between the old and the new routes and
 * reaches the transport as one event per publication; a health change rebuilds only the routes that
 * hold its target.
 */
class FlowResetsTest {
  private final ManualScheduler time = new ManualScheduler();

  /** Records every flow event. */
  static final class EventTransport implements Transport {
    final List<FlowResets> events = new ArrayList<>();

    @Override
    public CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(LoadBalancer lb) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void resetFlows(LoadBalancer lb, FlowResets resets) {
      events.add(resets);
    }

    @Override
    public void close() {}
  }

  private static List<String> ids(List<RouteTarget> targets) {
    return targets.stream().map(RouteTarget::id).toList();
  }

  private static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);

  @Test
  void healthAndDeregistration_eachPublicationIsOneEvent() {
    EventTransport transport = new EventTransport();
    try (Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).transport(transport).build()) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.modifyAttributes(Map.of(TargetGroupAttributes.DEREGISTRATION_DELAY, "10",
          "deregistration_delay.connection_termination.enabled", "true"));
      Fixtures.lb(nlb, "lb", "g");
      List<Target> t = Fixtures.targets(1, 3);
      g.registerTargets(t);
      Fixtures.healthy(g, t);
      transport.events.clear();

      Map<Target, TargetHealth> batch = new LinkedHashMap<>();
      batch.put(t.get(0), FAILED);
      batch.put(t.get(1), FAILED);
      g.reportHealth(batch);
      assertThat(transport.events).hasSize(1);
      assertThat(ids(transport.events.get(0).unhealthy())).containsExactlyInAnyOrder("10.0.1.1", "10.0.1.2");
      assertThat(transport.events.get(0).terminate()).isEmpty();

      // Draining changes no flow; its health still reaches its flows; its end closes them.
      g.deregisterTargets(t.get(2));
      assertThat(transport.events).hasSize(1);
      g.reportHealth(t.get(2), FAILED);
      assertThat(transport.events).hasSize(2);
      assertThat(ids(transport.events.get(1).unhealthy())).containsExactly("10.0.1.3");
      time.advance(Duration.ofSeconds(10));
      assertThat(transport.events).hasSize(3);
      assertThat(ids(transport.events.get(2).terminate())).containsExactly("10.0.1.3");
      assertThat(transport.events.get(2).terminate().get(0).isRemoved()).isTrue();

      g.reportHealth(t.get(0), TargetHealth.healthy());
      assertThat(ids(transport.events.get(3).healthy())).containsExactly("10.0.1.1");
    }
  }

  @Test
  void deregistration_withoutTermination_closesNothing() {
    EventTransport transport = new EventTransport();
    try (Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).transport(transport).build()) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      g.modifyAttributes(Map.of(TargetGroupAttributes.DEREGISTRATION_DELAY, "0"));
      Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(1, 2));
      Fixtures.healthy(g, Fixtures.targets(1, 2));
      transport.events.clear();
      g.deregisterTargets(Fixtures.targets(1, 1));
      assertThat(transport.events).isEmpty();
      assertThat(FlowResets.between(null, nlbSnapshot(nlb))).isEqualTo(FlowResets.NONE);
    }
  }

  private static RoutingSnapshot nlbSnapshot(Nlb nlb) {
    return nlb.loadBalancer("lb").orElseThrow().routingSnapshot();
  }

  @Test
  void healthChange_rebuildsOnlyTheRoutesThatHoldItsTarget() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.createListener(Fixtures.tcp(81, "h"));
      List<Target> both = new ArrayList<>(Fixtures.targets(1, 2));
      both.addAll(Fixtures.targets(2, 2));
      g.registerTargets(both);
      h.registerTargets(both);
      Fixtures.healthy(g, both);
      Fixtures.healthy(h, both);
      RoutingSnapshot before = lb.routingSnapshot();

      g.reportHealth(Target.ip("10.0.1.1"), FAILED);
      RoutingSnapshot after = lb.routingSnapshot();
      assertThat(after.version()).isGreaterThan(before.version());
      ListenerRoute g80 = Fixtures.route(lb, 80);
      ListenerRoute h81 = Fixtures.route(lb, 81);
      assertThat(h81).as("the other group's route").isSameAs(before.listener(io.nlb.core.routing.IpProtocol.TCP, 81));
      ListenerRoute g80Before = java.util.Objects.requireNonNull(before.listener(io.nlb.core.routing.IpProtocol.TCP, 80));
      assertThat(g80.node("zone-b")).as("the node without the target").isSameAs(g80Before.node("zone-b"));
      assertThat(g80.node("zone-a")).as("the node with the target").isNotSameAs(g80Before.node("zone-a"));
      assertThat(g80.node(0).healthyCount()).isEqualTo(1);
      assertThat(after.dns()).isNotNull();
    }
  }
}
