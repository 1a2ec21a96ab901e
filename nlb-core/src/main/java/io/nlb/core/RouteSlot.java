package io.nlb.core;

import io.nlb.core.routing.IpProtocol;
import io.nlb.core.spi.PassiveHealthSink;
import org.jspecify.annotations.Nullable;

/**
 * The route of one (listener, node) pair as a data plane holds it: one volatile reference to an
 * immutable {@link Route} that the control plane swaps whenever it publishes a snapshot that
 * changes it. A bound socket keeps its slot, so a new flow reads the slot once and decides with
 * the value; it never looks a listener up by port or a zone by name, and reads nothing else of
 * the core.
 *
 * <p>Slots are keyed by what a bound socket knows: the IP protocol, the listener port and the
 * zone. A TCP_UDP listener has two slots per zone (its TCP and its UDP sockets). When no listener
 * takes the key any more, or the zone is disabled, the slot holds null: new flows are reset.
 *
 * <pre>{@code
 * RouteSlot slot = slots.slot(IpProtocol.TCP, 443, "zone-a");   // in Transport.apply, once per socket
 * // per new flow, on the event loop:
 * RouteSlot.Route r = slot.route();
 * if (r == null) { reset(); return; }
 * RouteTarget t = r.node().select(hash);
 * }</pre>
 *
 * <p>Thread-safe: written by the control plane only, read by any thread without locks.
 *
 * @since 0.2
 */
public final class RouteSlot {
  /**
   * What a new flow through the slot needs, frozen: the snapshot version it comes from, the seed to
   * hash flows with, the listener's route (configuration and group attributes) and the node's.
   *
   * @param version the {@link RoutingSnapshot#version()} this value was published with
   * @param flowHashSeed the seed every node of the load balancer hashes flows with
   * @param listener the listener's route
   * @param node the node's route within it
   */
  public record Route(long version, long flowHashSeed, ListenerRoute listener, NodeRoute node) {
    /** Whether {@code o} routes every flow as this one does (the version aside). */
    boolean sameRouting(@Nullable Route o) {
      return o != null && flowHashSeed == o.flowHashSeed && node.equals(o.node) && listener.listenerId().equals(o.listener.listenerId())
          && listener.config() == o.listener.config() && listener.groupAttributes() == o.listener.groupAttributes()
          && listener.targetGroup().equals(o.listener.targetGroup()) && listener.targetProtocol() == o.listener.targetProtocol();
    }
  }

  private final IpProtocol protocol;
  private final int port;
  private final String zone;
  private final Nlb nlb;
  private volatile @Nullable Route route;

  RouteSlot(Nlb nlb, IpProtocol protocol, int port, String zone, @Nullable Route route) {
    this.nlb = nlb;
    this.protocol = protocol;
    this.port = port;
    this.zone = zone;
    this.route = route;
  }

  /**
   * The current route: one volatile read, no lock, no allocation.
   *
   * @return the route published last, or null when no listener takes this slot's protocol and port
   *     on this zone (new flows are reset)
   */
  public @Nullable Route route() {
    return route;
  }

  /**
   * Where the data plane reports connection outcomes of flows through this slot for passive health
   * checks (the sink attached to the {@link Nlb}, or one that drops every signal). One volatile read.
   *
   * @return the sink; never null
   */
  public PassiveHealthSink passiveHealth() {
    return nlb.passiveHealth();
  }

  /** {@return the IP protocol of the sockets that use this slot} */
  public IpProtocol protocol() {
    return protocol;
  }

  /** {@return the listener port} */
  public int port() {
    return port;
  }

  /** {@return the zone of the node} */
  public String zone() {
    return zone;
  }

  /** Swaps the value; the control plane only. Keeps the old value when it routes the same way. */
  void publish(@Nullable Route next) {
    Route cur = route;
    if (next == null ? cur != null : !next.sameRouting(cur)) {
      route = next;
    }
  }

  @Override
  public String toString() {
    return "RouteSlot{" + protocol + ":" + port + " " + zone + " " + route + "}";
  }
}
