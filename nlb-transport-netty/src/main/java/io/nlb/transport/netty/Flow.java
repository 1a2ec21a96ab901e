package io.nlb.transport.netty;

import io.nlb.core.RouteTarget;

/**
 * One relayed flow (a TCP connection pair or a UDP flow), as the control-plane hooks see it. The
 * methods may be called from any thread; implementations hop to the flow's event loop.
 */
interface Flow {
  /** The target the flow was routed to, as its route saw it; the flow keeps it for its whole life. */
  RouteTarget target();

  /** Closes the flow now (TCP: reset both sides). */
  void terminate();

  /**
   * The target became unhealthy ({@code true}) or healthy again ({@code false}). An unhealthy
   * flow resets on its next client data unless its node fails open then.
   */
  void targetUnhealthy(boolean unhealthy);
}
