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
 * @since 0.2
 */
public final class RouteTarget {
  // A final class rather than a record: Jazzer 0.24's instrumentation (the fuzz tests of core and
  // the launcher share a JVM with other tests) corrupts records whose components carry @Nullable.
  private final long registrationId;
  private final String group;
  private final String id;
  private final int port;
  private final @Nullable InetSocketAddress fixedAddress;
  private final @Nullable String zone;
  private final TargetHealth health;
  private final boolean draining;
  private final boolean removed;
  private final boolean alb;
  private final List<InetSocketAddress> albAddresses;

  /**
   * A target value; see the class comment for each parameter.
   *
   * @param registrationId the registration's number
   * @param group the target group's name
   * @param id the target's id
   * @param port the port, 1-65535
   * @param fixedAddress the address of an IP or instance target, null for an ALB endpoint
   * @param zone the zone, or null
   * @param health the health at publish time
   * @param draining whether it was deregistering
   * @param removed whether it had left its group
   * @param alb whether it is an ALB endpoint
   * @param albAddresses the ALB endpoint's addresses (copied)
   */
  public RouteTarget(long registrationId, String group, String id, int port, @Nullable InetSocketAddress fixedAddress,
      @Nullable String zone, TargetHealth health, boolean draining, boolean removed, boolean alb,
      List<InetSocketAddress> albAddresses) {
    this.registrationId = registrationId;
    this.group = group;
    this.id = id;
    this.port = port;
    this.fixedAddress = fixedAddress;
    this.zone = zone;
    this.health = health;
    this.draining = draining;
    this.removed = removed;
    this.alb = alb;
    this.albAddresses = List.copyOf(albAddresses);
  }

  /** {@return the registration's number, shared with {@link RegisteredTarget#registrationId()}} */
  public long registrationId() {
    return registrationId;
  }

  /** {@return the name of the target group} */
  public String group() {
    return group;
  }

  /** {@return the address literal, instance id or ALB endpoint name} */
  public String id() {
    return id;
  }

  /** {@return the port traffic goes to, 1-65535} */
  public int port() {
    return port;
  }

  /** {@return the zone the target is in as the load balancer saw it, or null (an ALB endpoint)} */
  public @Nullable String zone() {
    return zone;
  }

  /** {@return the health reported by health checks at publish time} */
  public TargetHealth health() {
    return health;
  }

  /** {@return the ALB endpoint's addresses at publish time; empty for other targets} */
  public List<InetSocketAddress> albAddresses() {
    return albAddresses;
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

  /** Equal when every field is: the same registration seen in the same state. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RouteTarget t && registrationId == t.registrationId && port == t.port && draining == t.draining
        && removed == t.removed && alb == t.alb && group.equals(t.group) && id.equals(t.id)
        && java.util.Objects.equals(fixedAddress, t.fixedAddress) && java.util.Objects.equals(zone, t.zone)
        && health.equals(t.health) && albAddresses.equals(t.albAddresses);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(registrationId) * 31 + health.hashCode();
  }

  @Override
  public String toString() {
    return group + "/" + (id.indexOf(':') >= 0 ? "[" + id + "]" : id) + ":" + port;
  }
}
