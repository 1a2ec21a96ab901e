package io.nlb.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One registration of a target in a target group: the target, its effective port, the address
 * traffic goes to, and its live health and draining state. The object is stable for the life of
 * the registration (re-registering a draining target revives the same object), so the data plane
 * can keep it with each flow and read its state without locks.
 *
 * <p>Thread-safe: the control plane changes the volatile state under its lock; anyone may read it.
 *
 * @since 0.1
 */
public final class RegisteredTarget {
  private static final InetSocketAddress[] NO_ADDRESSES = new InetSocketAddress[0];

  private final TargetGroup group;
  private final Target target;
  private final String key;
  private final int port;
  private final long registrationId;
  private final @Nullable InetSocketAddress address;
  private final @Nullable String knownZone;
  private volatile InstanceResolver.State instanceState;
  private final @Nullable String albEndpoint;

  private volatile TargetHealth health = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  private volatile boolean draining;
  private volatile boolean removed;
  private volatile InetSocketAddress[] albAddresses = NO_ADDRESSES;
  private Scheduler.@Nullable Cancellable drainTask;

  RegisteredTarget(TargetGroup group, Target target, int port, long registrationId, @Nullable InetAddress address,
      @Nullable String knownZone, InstanceResolver.State instanceState, @Nullable String albEndpoint) {
    this.group = group;
    this.target = target;
    this.port = port;
    this.key = key(target.id(), port);
    this.registrationId = registrationId;
    this.address = address == null ? null : new InetSocketAddress(address, port);
    this.knownZone = knownZone;
    this.instanceState = instanceState;
    this.albEndpoint = albEndpoint;
  }

  static String key(String id, int port) {
    return id + "#" + port;
  }

  /** {@return the group this registration belongs to} */
  public TargetGroup group() {
    return group;
  }

  /** {@return the target as registered, with the port override if one was given} */
  public Target target() {
    return target;
  }

  /** {@return the address literal, instance id or endpoint name} */
  public String id() {
    return target.id();
  }

  /** {@return the port traffic goes to (the override, or the group's port), 1-65535} */
  public int port() {
    return port;
  }

  /** {@return a number unique among all registrations of the {@link Nlb}, stable for this registration's life} */
  public long registrationId() {
    return registrationId;
  }

  /** Orders registrations independently of registration order: by id, then port. */
  String stableKey() {
    return key;
  }

  /** The zone known without consulting a load balancer: explicit, or from the instance resolver. */
  @Nullable String knownZone() {
    return knownZone;
  }

  /** The zone this target is in as seen by {@code lb}: explicit, resolved, or from the zones' ranges. */
  @Nullable String zoneIn(LoadBalancer lb) {
    if (knownZone != null) {
      return knownZone;
    }
    if (address != null) {
      for (Zone z : lb.zones()) {
        if (z.containsTarget(address.getAddress())) {
          return z.name();
        }
      }
    }
    return null;
  }

  InstanceResolver.State instanceState() {
    return instanceState;
  }

  void instanceState(InstanceResolver.State state) {
    instanceState = state;
  }

  /** Whether this registration names an instance (re-resolved to follow its state). */
  boolean isInstance() {
    return target.type() == TargetType.INSTANCE;
  }

  @Nullable String albEndpoint() {
    return albEndpoint;
  }

  /** {@return whether this registration is an ALB endpoint (in every zone; addresses change)} */
  public boolean isAlb() {
    return albEndpoint != null;
  }

  /**
   * The address a new flow with {@code flowHash} connects to: the target's address, or for an ALB
   * endpoint one of its current addresses chosen by the hash; null when an ALB endpoint has no
   * address yet. Allocates nothing.
   *
   * @param flowHash the flow's hash, as the routing snapshot computed it; ignored unless this is an
   *     ALB endpoint
   * @return the address to connect to, or null when an ALB endpoint has no address yet
   */
  public @Nullable InetSocketAddress address(long flowHash) {
    if (address != null) {
      return address;
    }
    InetSocketAddress[] a = albAddresses;
    if (a.length == 0) {
      return null;
    }
    return a[(int) Long.remainderUnsigned(flowHash, a.length)];
  }

  /** {@return the fixed address of an IP or instance target, or null for an ALB endpoint} */
  public @Nullable InetSocketAddress address() {
    return address;
  }

  /** {@return the current addresses of an ALB endpoint, or an empty list for other targets} */
  public List<InetSocketAddress> albAddresses() {
    return List.of(albAddresses);
  }

  /** {@return the health reported by health checks, regardless of draining} */
  public TargetHealth health() {
    return health;
  }

  /**
   * Whether the deregistration delay has ended and the target has left its group. Set before the
   * transport is told, so a flow that starts on this target concurrently can see it.
   *
   * @return true once the target has left its group
   */
  public boolean isRemoved() {
    return removed;
  }

  void removed() {
    removed = true;
  }

  /** Takes {@link #removed()} back (a failed apply that had removed it). */
  void unremove() {
    removed = false;
  }

  /** {@return whether the target is deregistering: no new flows, existing flows continue} */
  public boolean isDraining() {
    return draining;
  }

  void health(TargetHealth h) {
    health = h;
  }

  void draining(boolean d, Scheduler.@Nullable Cancellable task) {
    draining = d;
    Scheduler.Cancellable old = drainTask;
    drainTask = task;
    if (old != null && old != task) {
      old.cancel();
    }
  }

  void albAddresses(List<InetAddress> addrs) {
    InetSocketAddress[] a = new InetSocketAddress[addrs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = new InetSocketAddress(addrs.get(i), port);
    }
    albAddresses = a;
  }

  @Override
  public String toString() {
    return group.name() + "/" + (target.id().indexOf(':') >= 0 ? "[" + target.id() + "]" : target.id()) + ":" + port;
  }
}
