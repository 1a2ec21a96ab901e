package io.nlb.transport.netty;

import io.nlb.core.NodeRoute;
import io.nlb.core.RouteTarget;
import io.nlb.core.RouteSlot;
import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.IpProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/** Flow hashing and the checks a flow makes against its route slot, shared by the TCP and UDP paths. */
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
   * Whether a flow through {@code slot} may continue although its target is unhealthy: the slot's
   * node fails open now. (Every listener that forwards to one group has the same scope, and so the
   * same mode, on a node.)
   */
  static boolean failsOpen(RouteSlot slot) {
    RouteSlot.Route r = slot.route();
    return r != null && r.node().mode() == NodeRoute.Mode.FAIL_OPEN;
  }

  /**
   * Whether a flow that chose {@code target} from {@code chosen} must be reset at once because the
   * route changed to {@code now} before the flow could be told: the target left the node's scope
   * (it is draining or has left its group) while its group terminates connections on
   * deregistration, or the listener is gone.
   */
  static boolean lateReset(RouteSlot.Route chosen, RouteSlot.@Nullable Route now, RouteTarget target) {
    if (now == chosen) {
      return false;
    }
    if (now == null) {
      return true;
    }
    return now.node().target(target.registrationId()) == null && chosen.listener().groupAttributes().connectionTermination();
  }

  /** Whether {@code target} is unhealthy in the route {@code now} (as chosen when it is not there). */
  static boolean unhealthyNow(RouteSlot.@Nullable Route now, RouteTarget target) {
    RouteTarget t = now == null ? null : now.node().target(target.registrationId());
    return (t == null ? target : t).isUnhealthy();
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
