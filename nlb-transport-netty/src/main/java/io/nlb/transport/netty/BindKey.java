package io.nlb.transport.netty;

import io.nlb.core.routing.IpProtocol;
import java.net.InetAddress;

/** What one bound socket is: protocol, zone (node), node address, port. */
record BindKey(IpProtocol protocol, String zone, InetAddress address, int port) {
  @Override
  public String toString() {
    return protocol + " " + zone + " " + io.netty.util.NetUtil.toSocketAddressString(new java.net.InetSocketAddress(address, port));
  }
}
