package io.nlb.core;

import io.nlb.core.routing.IpProtocol;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything a data plane needs to route new flows of one load balancer, frozen: the enabled
 * zones, each listener's route per node, the flow-hash seed and the DNS answer. The control plane
 * builds a new snapshot on every change and publishes it through one volatile field ({@link
 * LoadBalancer#routingSnapshot()}); readers take the reference once per new flow and decide with
 * it, without locks.
 *
 * <pre>{@code
 * RoutingSnapshot s = lb.routingSnapshot();
 * ListenerRoute l = s.listener(IpProtocol.TCP, 443);
 * NodeRoute node = l.node(zoneIndex);
 * long hash = node.sticky() ? FlowHash.sourceIpv4(s.flowHashSeed(), IpProtocol.TCP, src)
 *                           : FlowHash.ipv4(s.flowHashSeed(), IpProtocol.TCP, src, sport, dst, dport, nonce);
 * RouteTarget target = node.select(hash);   // null: reset the client
 * }</pre>
 *
 * <p>A value all the way down: zones, {@link ListenerRoute}s, {@link NodeRoute}s and {@link
 * RouteTarget}s, none of which refers to a live listener, target group or registration. A reader
 * may keep a snapshot as long as it likes; nothing in it changes.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class RoutingSnapshot {
  private final long version;
  private final long flowHashSeed;
  private final List<Zone> zones;
  private final List<ListenerRoute> listeners;
  /** The same routes as an array: the per-flow lookups below loop by index, never by iterator. */
  private final ListenerRoute[] routes;
  private final DnsRecords dns;
  private final @Nullable ZonalShift zonalShift;
  private final List<RouteTarget> removed;

  RoutingSnapshot(long version, long flowHashSeed, List<Zone> zones, List<ListenerRoute> listeners, DnsRecords dns,
      @Nullable ZonalShift zonalShift, List<RouteTarget> removed) {
    this.removed = List.copyOf(removed);
    this.version = version;
    this.flowHashSeed = flowHashSeed;
    this.zones = List.copyOf(zones);
    this.listeners = List.copyOf(listeners);
    this.routes = listeners.toArray(new ListenerRoute[0]);
    this.dns = dns;
    this.zonalShift = zonalShift;
  }

  /** {@return increases with every snapshot of the load balancer} */
  public long version() {
    return version;
  }

  /** {@return the seed every node of the load balancer hashes flows with} */
  public long flowHashSeed() {
    return flowHashSeed;
  }

  /** {@return the enabled zones; a zone's index here is its node's index in every {@link ListenerRoute}} */
  public List<Zone> zones() {
    return zones;
  }

  /**
   * The index of {@code zone} in {@link #zones()}, or -1.
   *
   * @param zone a zone's name
   * @return its index, or -1 when it is not enabled
   */
  public int zoneIndex(String zone) {
    for (int i = 0; i < zones.size(); i++) {
      if (zones.get(i).name().equals(zone)) {
        return i;
      }
    }
    return -1;
  }

  /** {@return every listener's route} */
  public List<ListenerRoute> listeners() {
    return listeners;
  }

  /**
   * The listener that receives {@code protocol} traffic on {@code port}: for TCP a TCP, TLS or
   * TCP_UDP listener; for UDP a UDP or TCP_UDP listener. Null when there is none.
   *
   * @param protocol the transport protocol of the traffic
   * @param port the listener port
   * @return the listener's route, or null
   */
  public @Nullable ListenerRoute listener(IpProtocol protocol, int port) {
    for (int i = 0; i < routes.length; i++) {
      ListenerRoute l = routes[i];
      Protocol p = l.config().protocol();
      if (l.config().port() == port && (protocol == IpProtocol.TCP ? p.carriesTcp() : p.carriesUdp())) {
        return l;
      }
    }
    return null;
  }

  /**
   * The route of {@code listener}.
   *
   * @param listener a listener of the load balancer
   * @return its route, or null when it is not part of this snapshot
   */
  public @Nullable ListenerRoute listener(Listener listener) {
    for (int i = 0; i < routes.length; i++) {
      if (routes[i].listenerId().equals(listener.id())) {
        return routes[i];
      }
    }
    return null;
  }

  /**
   * The targets the previous snapshot routed to (in scope or draining) that have left their group
   * since: what {@link FlowResets#between} terminates flows of. Each target appears in one snapshot
   * only, the first one published after it left.
   *
   * @return the targets as they were when they left, with {@link RouteTarget#isRemoved()} true
   */
  public List<RouteTarget> removed() {
    return removed;
  }

  /** {@return the DNS answer} */
  public DnsRecords dns() {
    return dns;
  }

  /** {@return the active zonal shift, if any} */
  public java.util.Optional<ZonalShift> zonalShift() {
    return java.util.Optional.ofNullable(zonalShift);
  }

  /** {@return every distinct target (by registration) any node of any listener may route to} */
  public List<RouteTarget> targets() {
    List<RouteTarget> out = new ArrayList<>();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (ListenerRoute l : listeners) {
      for (NodeRoute n : l.nodes()) {
        for (RouteTarget t : n.targets()) {
          if (seen.add(t.registrationId())) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "RoutingSnapshot{v" + version + " " + listeners + " dns=" + dns + "}";
  }
}
