package io.nlb.core;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One target as a routing snapshot saw it when it was built: a frozen value. Where {@link
 * RegisteredTarget} is the live registration (its health, draining state and ALB addresses change),
 * a {@code RouteTarget} keeps what they were at publish time, so a reader holding a snapshot never
 * sees it change. Flows are identified with their target by {@link #registrationId()}, which the
 * live registration shares.
 *
 * <pre>{@code
 * RouteTarget t = nodeRoute.select(hash);       // null: no target, reset the client
 * InetSocketAddress to = t.address(hash);       // null: an ALB endpoint without addresses yet
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param registrationId the number of the registration, unique within its {@link Nlb} and stable
 *     for the registration's life (the same as {@link RegisteredTarget#registrationId()})
 * @param group the name of the target group
 * @param id the address literal, instance id or ALB endpoint name
 * @param port the port traffic goes to, 1-65535
 * @param fixedAddress the address of an IP or instance target; null for an ALB endpoint
 * @param zone the zone the target is in as the load balancer saw it, or null (an ALB endpoint)
 * @param health the health reported by health checks at publish time
 * @param draining whether the target was deregistering at publish time
 * @param removed whether the target had left its group at publish time
 * @param alb whether the target is an ALB endpoint
 * @param albAddresses the ALB endpoint's addresses at publish time; empty for other targets
 * @since 0.2
 */
public record RouteTarget(long registrationId, String group, String id, int port, @Nullable InetSocketAddress fixedAddress,
    @Nullable String zone, TargetHealth health, boolean draining, boolean removed, boolean alb,
    List<InetSocketAddress> albAddresses) {

  /** Copies {@code albAddresses}. */
  public RouteTarget {
    albAddresses = List.copyOf(albAddresses);
  }

  /** Freezes {@code r} as it is now; {@code zone} as the load balancer sees it. A control-plane call. */
  static RouteTarget of(RegisteredTarget r, @Nullable String zone) {
    return new RouteTarget(r.registrationId(), r.group().name(), r.id(), r.port(), r.address(), zone, r.health(),
        r.isDraining(), r.isRemoved(), r.isAlb(), r.albAddresses());
  }

  /**
   * The address a new flow with {@code flowHash} connects to: the target's address, or for an ALB
   * endpoint one of its addresses chosen by the hash; null when an ALB endpoint had no address.
   * Allocates nothing.
   *
   * @param flowHash the flow's hash; ignored unless this is an ALB endpoint
   * @return the address to connect to, or null
   */
  public @Nullable InetSocketAddress address(long flowHash) {
    InetSocketAddress a = fixedAddress;
    if (a != null) {
      return a;
    }
    int n = albAddresses.size();
    return n == 0 ? null : albAddresses.get((int) Long.remainderUnsigned(flowHash, n));
  }

  /** {@return the fixed address of an IP or instance target, or null for an ALB endpoint} */
  public @Nullable InetSocketAddress address() {
    return fixedAddress;
  }

  /** {@return whether the target was deregistering at publish time} */
  public boolean isDraining() {
    return draining;
  }

  /** {@return whether the target had left its group at publish time} */
  public boolean isRemoved() {
    return removed;
  }

  /** {@return whether the target is an ALB endpoint} */
  public boolean isAlb() {
    return alb;
  }

  /** {@return whether the target was unhealthy or unavailable at publish time (its flows may be reset)} */
  public boolean isUnhealthy() {
    TargetHealthState s = health.state();
    return s == TargetHealthState.UNHEALTHY || s == TargetHealthState.UNAVAILABLE;
  }

  @Override
  public String toString() {
    return group + "/" + (id.indexOf(':') >= 0 ? "[" + id + "]" : id) + ":" + port;
  }
}
