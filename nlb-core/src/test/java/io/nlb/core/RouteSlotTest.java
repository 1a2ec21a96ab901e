package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.routing.IpProtocol;
import io.nlb.core.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Route slots: one per (listener, node) socket key, handed to the transport with each bind, filled
 * from every published snapshot before the transport is told, swapped only when the route changes.
 */
class RouteSlotTest {
  private final ManualScheduler time = new ManualScheduler();

  /** Records, at each apply, the route each of its sockets' slots holds. */
  static final class SlotTransport implements Transport {
    final List<RouteSlot.@Nullable Route> seenAtApply = new ArrayList<>();
    @Nullable RouteSlots slots;

    @Override
    public CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
      this.slots = slots;
      for (ListenerRoute l : next.listeners()) {
        for (Zone z : next.zones()) {
          seenAtApply.add(slots.slot(IpProtocol.TCP, l.config().port(), z.name()).route());
        }
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(LoadBalancer lb) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }

  @Test
  void apply_handsSlotsAlreadyFilledFromTheSnapshotBeingBound() {
    SlotTransport transport = new SlotTransport();
    try (Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).transport(transport).build()) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.createListener(Fixtures.tcp(81, "g"));
      assertThat(transport.seenAtApply).hasSize(2 + 4).doesNotContainNull();
      RouteSlots slots = Objects.requireNonNull(transport.slots);
      assertThat(slots).isSameAs(lb.slots);
      RouteSlot.Route r = Objects.requireNonNull(slots.slot(IpProtocol.TCP, 81, "zone-b").route());
      assertThat(r.listener().config().port()).isEqualTo(81);
      assertThat(r.node().zone()).isEqualTo("zone-b");
      assertThat(r.flowHashSeed()).isEqualTo(42);
      assertThat(r.version()).isEqualTo(lb.routingSnapshot().version());
    }
  }

  @Test
  void slot_followsItsListenerAndZone_andKeepsItsValueWhenItsRouteDoesNotChange() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Fixtures.targets(1, 2));
      Fixtures.healthy(g, Fixtures.targets(1, 2));
      RouteSlot a80 = lb.slots.slot(IpProtocol.TCP, 80, "zone-a");
      RouteSlot udp80 = lb.slots.slot(IpProtocol.UDP, 80, "zone-a");
      RouteSlot a81 = lb.slots.slot(IpProtocol.TCP, 81, "zone-a");
      RouteSlot c80 = lb.slots.slot(IpProtocol.TCP, 80, "zone-c");
      assertThat(lb.slots.slot(IpProtocol.TCP, 80, "zone-a")).isSameAs(a80);
      assertThat(udp80.route()).isNull();
      assertThat(a81.route()).isNull();
      assertThat(c80.route()).isNull();
      RouteSlot.Route first = Objects.requireNonNull(a80.route());
      assertThat(first.node().targets()).hasSize(2);

      // A change elsewhere publishes a new snapshot; this slot's route is the same, so is its value.
      lb.createListener(Fixtures.tcp(81, "g"));
      assertThat(a80.route()).isSameAs(first);
      assertThat(a81.route()).isNotNull();

      // A health change of one of its targets swaps the value; the old one stays as it was.
      Fixtures.unhealthy(g, Fixtures.targets(1, 1));
      RouteSlot.Route second = Objects.requireNonNull(a80.route());
      assertThat(second).isNotSameAs(first);
      assertThat(second.node().healthyCount()).isEqualTo(1);
      assertThat(first.node().healthyCount()).isEqualTo(2);

      // Zone-c enabled: its slot fills. Listener gone: its slots empty.
      lb.setZones(List.of(Fixtures.zoneA(), Fixtures.zoneB(), Fixtures.zoneC()));
      assertThat(c80.route()).isNotNull();
      lb.listener(Protocol.TCP, 81).orElseThrow().delete();
      assertThat(a81.route()).isNull();
      assertThat(a80.route()).isNotNull();
    }
  }
}
