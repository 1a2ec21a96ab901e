package io.nlb.core.spi;

import io.nlb.core.RouteTarget;

/**
 * Where the data plane reports what it observes of targets' connections, for passive health
 * checks: the health-check engine implements it and attaches itself with {@code
 * Nlb#attachPassiveHealthSink}; the transport calls {@code Nlb#passiveHealth()} and never needs to
 * know whether an engine is attached (without one, the signals are dropped).
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Called from event loops, possibly concurrently for different targets and for the same
 *       target. Implementations must be thread-safe, must not block and should not allocate per
 *       call in the common case ({@link #connected} on a healthy target).
 *   <li>Passive signals can take a healthy target out of service before the active checks would;
 *       only active checks bring it back. They are not reported for UDP flows.
 * </ul>
 *
 * <pre>{@code
 * // in the transport, when the backend connect of a flow completes:
 * PassiveHealthSink passive = nlb.passiveHealth();
 * if (future.isSuccess()) passive.connected(target); else passive.connectFailed(target);
 * }</pre>
 *
 * @since 0.1
 */
public interface PassiveHealthSink {
  /** A sink that ignores every signal. */
  PassiveHealthSink NONE = new PassiveHealthSink() {
    @Override
    public void connectFailed(RouteTarget target) {}

    @Override
    public void targetReset(RouteTarget target) {}

    @Override
    public void connected(RouteTarget target) {}
  };

  /**
   * A new flow's connection to {@code target} was refused or timed out.
   *
   * @param target the target
   */
  void connectFailed(RouteTarget target);

  /**
   * {@code target} reset an established connection (RST before a normal close).
   *
   * @param target the target
   */
  void targetReset(RouteTarget target);

  /**
   * A new flow's connection to {@code target} was established.
   *
   * @param target the target
   */
  void connected(RouteTarget target);
}
