package io.nlb.core.spi;

import io.nlb.core.FlowResets;
import io.nlb.core.LoadBalancer;
import io.nlb.core.RouteSlots;
import io.nlb.core.RoutingSnapshot;
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
 *   <li>{@link #apply} hands the load balancer's {@link RouteSlots}: the transport takes the slot of
 *       each socket it binds ({@link RouteSlots#slot}) and keeps it with the socket. A new flow
 *       reads its socket's slot once and decides with that value; it reads nothing else of the
 *       core (no snapshot lookup by port or zone, no live target). The control plane fills the
 *       slots before it calls {@code apply}.
 *   <li>{@link #resetFlows} tells the transport about existing flows, as one event per publication
 *       computed from the difference between the old and the new routes: close the flows of a
 *       target deregistered with termination, reset a newly unhealthy target's flows on their next
 *       client data unless its node fails open.
 * </ul>
 *
 * <p>Implementations are found through {@link TransportProvider} with {@link
 * java.util.ServiceLoader}, or handed to {@code Nlb.builder().transport(...)} directly.
 *
 * @since 0.1
 */
public interface Transport extends AutoCloseable {
  /**
   * Starts making the bindings of {@code lb} match {@code next}, which is already published.
   *
   * @param lb the load balancer
   * @param slots the route slots of {@code lb}, already filled from {@code next}: each socket keeps
   *     the slot of its protocol, port and zone
   * @param previous the snapshot bound so far, or null when {@code lb} is new
   * @param next the snapshot to bind
   * @return completes when every socket of {@code next} accepts; fails (with bindings as for
   *     {@code previous}) when something cannot be bound
   */
  CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next);

  /**
   * Starts unbinding everything of {@code lb} and closing its flows (the load balancer is
   * deleted).
   *
   * @param lb the load balancer
   * @return completes when its sockets are closed
   */
  CompletionStage<Void> remove(LoadBalancer lb);

  /**
   * What a newly published snapshot of {@code lb} means for open flows, computed from its
   * difference with the previous one ({@link FlowResets#between}): close the flows of targets that
   * left their group with connection termination, mark the flows of targets that turned unhealthy
   * (they reset on their next client data unless their node fails open), unmark those of targets
   * healthy again. Flows are matched by {@link io.nlb.core.RouteTarget#registrationId()}. Called
   * once per publication that changes anything, after the new routes are in their slots.
   *
   * @param lb the load balancer whose routing changed
   * @param resets the flows to close or mark
   */
  default void resetFlows(LoadBalancer lb, FlowResets resets) {}

  /**
   * The transport's active health-check probe, running on its own event loops, so that health
   * checks and flows share one I/O stack; empty when the transport does not probe. Unlike the other
   * methods, it is called by the health-check engine, from any thread, and must return the same
   * probe every time. The probe lives as long as the transport: {@link #close()} ends it (checks in
   * flight report {@link CheckOutcome#ERROR}); the engine never closes it.
   *
   * @return the probe, or empty when the transport does not probe
   */
  default Optional<HealthProbe> healthProbe() {
    return Optional.empty();
  }

  /** Stops accepting, lets flows finish up to the transport's timeout, resets the rest. Idempotent. */
  @Override
  void close();
}
