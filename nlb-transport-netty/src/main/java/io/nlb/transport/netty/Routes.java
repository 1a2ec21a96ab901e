package io.nlb.transport.netty;

import io.nlb.core.ListenerRoute;
import io.nlb.core.NodeRoute;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.IpProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** Flow hashing and the fail-open check, shared by the TCP and UDP paths. */
final class Routes {
  private Routes() {}

  /** The hash {@code node} wants for this flow: the source hash when sticky, else the flow hash. */
  static long hash(long seed, NodeRoute node, IpProtocol p, InetSocketAddress src, InetSocketAddress dst, int sequence) {
    InetAddress s = src.getAddress();
    if (s instanceof Inet4Address) {
      int s4 = toInt(s.getAddress());
      if (node.sticky()) {
        return FlowHash.sourceIpv4(seed, p, s4);
      }
      return FlowHash.ipv4(seed, p, s4, src.getPort(), toInt(dst.getAddress().getAddress()), dst.getPort(),
          p == IpProtocol.TCP ? sequence : 0);
    }
    byte[] s16 = s.getAddress();
    if (node.sticky()) {
      return FlowHash.sourceIpv6(seed, p, s16);
    }
    byte[] d16 = dst.getAddress().getAddress();
    if (d16.length != 16) {
      d16 = mapped(d16);
    }
    return FlowHash.ipv6(seed, p, s16, src.getPort(), d16, dst.getPort(), p == IpProtocol.TCP ? sequence : 0);
  }

  /**
   * Whether a flow of {@code target} handled by the node of {@code zone} may continue although the
   * target is unhealthy: some listener forwarding to the target's group fails open on that node in
   * the current snapshot.
   */
  static boolean failsOpen(RoutingSnapshot s, String zone, RegisteredTarget target) {
    int zi = s.zoneIndex(zone);
    if (zi < 0) {
      return false;
    }
    List<ListenerRoute> ls = s.listeners();
    for (int i = 0; i < ls.size(); i++) {
      ListenerRoute l = ls.get(i);
      if (l.targetGroup() == target.group() && l.node(zi).mode() == NodeRoute.Mode.FAIL_OPEN) {
        return true;
      }
    }
    return false;
  }

  private static int toInt(byte[] b) {
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private static byte[] mapped(byte[] v4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xFF;
    out[11] = (byte) 0xFF;
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }
}
