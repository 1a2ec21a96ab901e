package io.nlb.transport.netty;

import io.nlb.core.RegisteredTarget;

/**
 * One relayed flow (a TCP connection pair or a UDP flow), as the control-plane hooks see it. The
 * methods may be called from any thread; implementations hop to the flow's event loop.
 */
interface Flow {
  /** The registration the flow was routed to; it keeps it for its whole life. */
  RegisteredTarget target();

  /** Closes the flow now (TCP: reset both sides). */
  void terminate();

  /**
   * The target became unhealthy ({@code true}) or healthy again ({@code false}). An unhealthy
   * flow resets on its next client data unless its node fails open then.
   */
  void targetUnhealthy(boolean unhealthy);
}
