package io.nlb.core;

import io.nlb.core.routing.IpProtocol;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RouteSlot}s of one load balancer, handed to the transport with every {@link
 * io.nlb.core.spi.Transport#apply}: the transport asks for the slot of each socket it binds and
 * keeps it with the socket. The control plane fills every slot from each snapshot it publishes,
 * before the transport is told, so a socket that starts accepting already finds its route.
 *
 * <pre>{@code
 * // in Transport.apply, for each socket to bind:
 * RouteSlot slot = slots.slot(IpProtocol.TCP, listenerPort, zone.name());
 * }</pre>
 *
 * <p>Thread-safe: {@link #slot} may be called from any thread; slots are written by the control
 * plane only.
 *
 * @since 0.2
 */
public final class RouteSlots {
  private record Key(IpProtocol protocol, int port, String zone) {}

  private final Nlb nlb;
  private final Map<Key, RouteSlot> slots = new ConcurrentHashMap<>();
  private volatile @Nullable RoutingSnapshot published;

  RouteSlots(Nlb nlb) {
    this.nlb = nlb;
  }

  /**
   * The slot of the sockets for {@code protocol} traffic on {@code port} in {@code zone}; the same
   * object every time for the same key.
   *
   * @param protocol TCP or UDP
   * @param port the listener port, 1-65535
   * @param zone the zone's name
   * @return the slot, holding the route of the last published snapshot (null when none takes the key)
   */
  public RouteSlot slot(IpProtocol protocol, int port, String zone) {
    return slots.computeIfAbsent(new Key(protocol, port, zone), k -> {
      RoutingSnapshot s = published;
      return new RouteSlot(nlb, k.protocol(), k.port(), k.zone(), s == null ? null : route(s, k));
    });
  }

  /** Fills every slot from {@code s}, which is being published; the control plane only. */
  void publish(RoutingSnapshot s) {
    published = s;
    for (Map.Entry<Key, RouteSlot> e : slots.entrySet()) {
      e.getValue().publish(route(s, e.getKey()));
    }
  }

  /** Empties every slot (the load balancer is gone); the control plane only. */
  void clear() {
    published = null;
    for (RouteSlot slot : slots.values()) {
      slot.publish(null);
    }
  }

  private static RouteSlot.@Nullable Route route(RoutingSnapshot s, Key k) {
    ListenerRoute l = s.listener(k.protocol(), k.port());
    int zi = s.zoneIndex(k.zone());
    if (l == null || zi < 0) {
      return null;
    }
    return new RouteSlot.Route(s.version(), s.flowHashSeed(), l, l.node(zi));
  }

  /** {@return every slot handed out so far (tests, diagnostics)} */
  List<RouteSlot> all() {
    return List.copyOf(slots.values());
  }
}
