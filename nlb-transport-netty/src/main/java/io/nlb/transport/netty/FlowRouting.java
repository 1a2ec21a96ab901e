package io.nlb.transport.netty;

import io.nlb.core.ListenerRoute;
import io.nlb.core.NodeRoute;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.TargetHealthState;
import io.nlb.core.routing.IpProtocol;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Where a new flow goes, and the few questions a live flow asks the routing state: the one place
 * where the data plane reads the control plane's routing (TCP and UDP alike). A new flow reads the
 * load balancer's snapshot once, finds its listener and node, hashes its 5-tuple and selects a
 * target; the choice is written into a {@link Choice} (the flow itself, or a scratch object of a
 * UDP socket), so routing allocates nothing.
 *
 * <p>Stateless and thread-safe; called on event loops.
 */
final class FlowRouting {
  private FlowRouting() {}

  /** What {@link #route} chose for a flow. Confined to the event loop that routes the flow. */
  abstract static class Choice {
    /** The listener's route the flow was routed by. */
    @Nullable ListenerRoute route;
    /** The target chosen. */
    @Nullable RegisteredTarget chosen;
    /** The address of {@link #chosen} the flow connects to. */
    @Nullable InetSocketAddress address;

    /** Forgets the choice (a reused scratch choice). */
    final void clear() {
      route = null;
      chosen = null;
      address = null;
    }
  }

  /**
   * Routes a new flow of {@code ep} from {@code remote} to {@code local}: on success fills {@code
   * out} and returns true; false when the listener, the node or a target is missing (the caller
   * resets or drops). {@code sequence} tells TCP flows of one 5-tuple apart (0 for UDP).
   */
  static boolean route(Endpoint ep, IpProtocol protocol, InetSocketAddress remote, InetSocketAddress local, int sequence,
      Choice out) {
    RoutingSnapshot s = ep.lb.routingSnapshot();
    ListenerRoute route = s.listener(protocol, ep.port);
    int zone = s.zoneIndex(ep.zone);
    if (route == null || zone < 0) {
      return false;
    }
    NodeRoute node = route.node(zone);
    long hash = Routes.hash(s.flowHashSeed(), node, protocol, remote, local, sequence);
    RegisteredTarget t = node.select(hash);
    InetSocketAddress address = t == null ? null : t.address(hash);
    if (t == null || address == null) {
      return false;
    }
    out.route = route;
    out.chosen = t;
    out.address = address;
    return true;
  }

  /**
   * Whether a TCP flow just routed to {@code t} must end at once: the target was deregistered with
   * connection termination between the snapshot's making and the flow joining its target's flow
   * set (the control plane sets the target's state before it tells the transport, so reading it
   * after joining closes that gap).
   */
  static boolean removedWithTermination(ListenerRoute route, RegisteredTarget t) {
    return t.isRemoved() && route.groupAttributes().connectionTermination();
  }

  /** Whether {@code t} is unhealthy now (read once when a flow joins its target's flow set, for the same gap). */
  static boolean unhealthy(RegisteredTarget t) {
    TargetHealthState health = t.health().state();
    return health == TargetHealthState.UNHEALTHY || health == TargetHealthState.UNAVAILABLE;
  }

  /**
   * Whether a flow of the unhealthy {@code target} on the node of {@code ep} may go on: some
   * listener forwarding to the target's group fails open on that node now.
   */
  static boolean failsOpen(Endpoint ep, RegisteredTarget target) {
    return Routes.failsOpen(ep.lb.routingSnapshot(), ep.zone, target);
  }
}
