package io.nlb.transport.netty;

import io.nlb.core.ListenerRoute;
import io.nlb.core.NodeRoute;
import io.nlb.core.RouteSlot;
import io.nlb.core.RouteTarget;
import io.nlb.core.routing.IpProtocol;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Where a new flow goes, and the few questions a live flow asks the routing state: the one place
 * where the data plane reads the control plane's routing (TCP and UDP alike). A new flow reads its
 * socket's {@link RouteSlot} once (a volatile read: nothing else of the core), hashes its 5-tuple
 * and selects a target value; the choice is written into a {@link Choice} (the flow itself, or a
 * scratch object of a UDP socket), so routing allocates nothing.
 *
 * <p>Stateless and thread-safe; called on event loops.
 */
final class FlowRouting {
  private FlowRouting() {}

  /** What {@link #route} chose for a flow. Confined to the event loop that routes the flow. */
  abstract static class Choice {
    /** The slot's route the flow was routed by. */
    RouteSlot.@Nullable Route slotRoute;
    /** The listener's route the flow was routed by. */
    @Nullable ListenerRoute route;
    /** The target chosen. */
    @Nullable RouteTarget chosen;
    /** The address of {@link #chosen} the flow connects to. */
    @Nullable InetSocketAddress address;

    /** Forgets the choice (a reused scratch choice). */
    final void clear() {
      slotRoute = null;
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
    // The one read of the core a new flow makes: its socket's route slot.
    RouteSlot.Route r = ep.slot.route();
    if (r == null) {
      return false;
    }
    NodeRoute node = r.node();
    long hash = Routes.hash(r.flowHashSeed(), node, protocol, remote, local, sequence);
    RouteTarget t = node.select(hash);
    InetSocketAddress address = t == null ? null : t.address(hash);
    if (t == null || address == null) {
      return false;
    }
    out.slotRoute = r;
    out.route = r.listener();
    out.chosen = t;
    out.address = address;
    return true;
  }

  /**
   * Whether a TCP flow just routed to {@code t} must end at once: the route changed between the
   * choice and the flow joining its target's flow set, and the target left the node's scope while
   * its group terminates connections (the control plane publishes a route before it tells the
   * transport, so reading the slot again after joining closes that gap).
   */
  static boolean removedWithTermination(Endpoint ep, RouteSlot.Route chosen, RouteTarget t) {
    return Routes.lateReset(chosen, ep.slot.route(), t);
  }

  /** Whether {@code t} is unhealthy in the slot's route now (read once when a flow joins its target's flow set). */
  static boolean unhealthy(Endpoint ep, RouteTarget t) {
    return Routes.unhealthyNow(ep.slot.route(), t);
  }

  /** Whether a flow of an unhealthy target on the node of {@code ep} may go on: the node fails open now. */
  static boolean failsOpen(Endpoint ep) {
    return Routes.failsOpen(ep.slot);
  }
}
