package io.nlb.core.spi;

import io.nlb.core.LoadBalancer;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.TargetHealth;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The data plane, as the control plane sees it: something that binds each load balancer's
 * listeners on its nodes' addresses and relays flows according to the published {@link
 * RoutingSnapshot}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Every method is called from the control plane's serial executor, one call at a time, never
 *       from an event loop. No method may block: binding and unbinding are started and complete
 *       on the transport's own threads. Methods must not call back into the control plane.
 *   <li>{@link #apply} is called after the snapshot {@code next} has been published, whenever it
 *       changes what is bound (a new load balancer, a listener added, removed or changed, a zone
 *       added) or the access-log attributes ({@code access_logs.s3.*}) change. Since routing is
 *       published first, a socket that starts accepting finds its route. The returned stage
 *       completes when every socket {@code next} needs accepts. It fails when something cannot be
 *       bound or served (a port taken, a TLS policy the provider cannot serve exactly); the
 *       transport has then closed what that call opened, and the control plane takes its change
 *       back and applies the previous state again. Calls may overlap: a socket that an earlier,
 *       still pending call is binding is shared, not bound twice.
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
   * Starts making the bindings of {@code lb} match {@code next}, which is already published.
   *
   * @param lb the load balancer
   * @param previous the snapshot bound so far, or null when {@code lb} is new
   * @param next the snapshot to bind
   * @return completes when every socket of {@code next} accepts; fails (with bindings as for
   *     {@code previous}) when something cannot be bound
   */
  CompletionStage<Void> apply(LoadBalancer lb, @Nullable RoutingSnapshot previous, RoutingSnapshot next);

  /**
   * Starts unbinding everything of {@code lb} and closing its flows (the load balancer is
   * deleted).
   *
   * @param lb the load balancer
   * @return completes when its sockets are closed
   */
  CompletionStage<Void> remove(LoadBalancer lb);
  /**
   * The deregistration delay of {@code target} ended; when {@code terminateConnections} is true,
   * its remaining flows must be closed.
   *
   * @param target the target
   * @param terminateConnections whether its flows must be closed
   */
  default void targetDrained(RegisteredTarget target, boolean terminateConnections) {}

  /**
   * The health of {@code target} changed from {@code previous} to {@code current}.
   *
   * @param target the target
   * @param previous its health before
   * @param current its health now
   */
  default void targetHealthChanged(RegisteredTarget target, TargetHealth previous, TargetHealth current) {}

  /**
   * The transport's active health-check probe, running on its own event loops, so that health
   * checks and flows share one I/O stack; empty when the transport does not probe. Unlike the other
   * methods, it is called by the health-check engine, from any thread, and must return the same
   * probe every time. The probe lives as long as the transport: {@link #close()} ends it (checks in
   * flight report {@link CheckOutcome#ERROR}); the engine never closes it.
   *
   * @return the probe; empty when the transport does not probe
   */
  default Optional<HealthProbe> healthProbe() {
    return Optional.empty();
  }

  /** Stops accepting, lets flows finish up to the transport's timeout, resets the rest. Idempotent. */
  @Override
  void close();
}
