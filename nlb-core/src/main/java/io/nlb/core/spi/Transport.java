package io.nlb.core.spi;

import io.nlb.core.LoadBalancer;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.TargetHealth;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The data plane, as the control plane sees it: something that binds each load balancer's
 * listeners on its nodes' addresses and relays flows according to the published {@link
 * RoutingSnapshot}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>All methods are called by the control plane, serialized under its lock, never from an
 *       event loop; they must not call back into the control plane.
 *   <li>{@link #apply} is called before a snapshot that changes what is bound (a new load balancer,
 *       a listener added, removed or changed, a zone added) is published, and when the access-log
 *       attributes ({@code access_logs.s3.*}) change, so that the transport can open or close its
 *       TLS access log (the bindings are then unchanged). It binds what is new and
 *       unbinds what is gone. If it throws, it must leave the bindings as they were, and the
 *       control plane refuses the change that needed it (the load balancer becomes {@code failed}
 *       when it was its creation).
 *   <li>Between calls, the transport reads {@link LoadBalancer#routingSnapshot()} once per new
 *       flow; it never caches routing decisions across flows.
 *   <li>{@link #targetDrained} and {@link #targetHealthChanged} tell the transport about existing
 *       flows: close a drained target's flows when asked to, and reset a newly unhealthy target's
 *       flows on their next client data unless its node fails open.
 * </ul>
 *
 * <p>Implementations are found through {@link TransportProvider} with {@link
 * java.util.ServiceLoader}, or handed to {@code Nlb.builder().transport(...)} directly.
 */
public interface Transport extends AutoCloseable {
  /**
   * Makes the bindings of {@code lb} match {@code next}.
   *
   * @param previous the snapshot bound so far, or null when {@code lb} is new
   * @throws Exception when something cannot be bound; bindings must then be as for {@code
   *     previous}
   */
  void apply(LoadBalancer lb, @Nullable RoutingSnapshot previous, RoutingSnapshot next) throws Exception;

  /** Unbinds everything of {@code lb} and closes its flows (the load balancer is deleted). */
  void remove(LoadBalancer lb);

  /**
   * The deregistration delay of {@code target} ended; when {@code terminateConnections} is true,
   * its remaining flows must be closed.
   */
  default void targetDrained(RegisteredTarget target, boolean terminateConnections) {}

  /** The health of {@code target} changed from {@code previous} to {@code current}. */
  default void targetHealthChanged(RegisteredTarget target, TargetHealth previous, TargetHealth current) {}

  /**
   * The transport's active health-check probe, running on its own event loops, so that health
   * checks and flows share one I/O stack; empty when the transport does not probe. Unlike the other
   * methods, it is called by the health-check engine, from any thread, and must return the same
   * probe every time. The probe lives as long as the transport: {@link #close()} ends it (checks in
   * flight report {@link CheckOutcome#ERROR}); the engine never closes it.
   */
  default Optional<HealthProbe> healthProbe() {
    return Optional.empty();
  }

  /** Stops accepting, lets flows finish up to the transport's timeout, resets the rest. Idempotent. */
  @Override
  void close();
}
