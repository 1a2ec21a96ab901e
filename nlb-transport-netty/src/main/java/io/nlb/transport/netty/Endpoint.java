package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.nlb.core.LoadBalancer;
import io.nlb.core.routing.IpProtocol;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * One bound socket of a load balancer node: a TCP server socket or a UDP socket on the node's
 * address and the listener's port, with everything its flows need (the load balancer to read the
 * routing snapshot from, the zone, the metric handles). Created by the control plane; read by
 * event loops.
 */
final class Endpoint {
  final NettyTransport transport;
  final LbState state;
  final LoadBalancer lb;
  final BindKey key;
  final String zone;
  final InetAddress nodeAddress;
  final int port;
  final IpProtocol protocol;
  final ZoneMetrics metrics;
  /** Set once bound. */
  volatile @Nullable Channel channel;
  /** Set when the transport stops accepting: no new flows. */
  volatile boolean closing;

  Endpoint(NettyTransport transport, LbState state, BindKey key, ZoneMetrics metrics) {
    this.transport = transport;
    this.state = state;
    this.lb = state.lb;
    this.key = key;
    this.zone = key.zone();
    this.nodeAddress = key.address();
    this.port = key.port();
    this.protocol = key.protocol();
    this.metrics = metrics;
  }

  @Override
  public String toString() {
    return lb.name() + " " + key;
  }
}
