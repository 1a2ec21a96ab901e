package io.nlb.core;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The targets to health-check, as the control plane holds them when it tells its {@link
 * TargetSetListener}s: for every target group a listener of a load balancer uses, the settings
 * that apply and every registration that can receive traffic (those the core does not report
 * {@code unused}), draining ones included. A health-check engine makes its checks match this value
 * and reads nothing else of the {@link Nlb}.
 *
 * <pre>{@code
 * nlb.addTargetSetListener(set -> latest.set(set)); // told at once, then after every change
 * for (TargetSet.Use use : latest.get().uses()) {
 *   for (TargetSet.Member m : use.members()) {
 *     probe(m.addresses(), use.healthCheck());
 *   }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: every field is a value, or a list copied at construction, with the
 * state of the groups and registrations as it was when the set was built. Groups and
 * registrations are named by their ids, which is what health reports carry back ({@link
 * Nlb#reportHealth(String, java.util.Map)}).
 *
 * @param uses one per (load balancer, target group) pair, in creation order
 * @since 0.1
 */
public record TargetSet(List<Use> uses) {
  /** No target to check. */
  public static final TargetSet EMPTY = new TargetSet(List.of());

  /**
   * A copy of {@code uses}.
   *
   * @param uses one per (load balancer, target group) pair
   */
  public TargetSet {
    uses = List.copyOf(uses);
  }

  /**
   * A target group as one load balancer uses it.
   *
   * @param loadBalancerResourceId the load balancer's {@link LoadBalancer#resourceId()}
   * @param zones the load balancer's enabled zones, in node order (never empty)
   * @param groupResourceId the group's {@link TargetGroup#resourceId()}, where its health reports go
   * @param listenerPort the lowest port of the listeners forwarding to the group (HTTP checks' Host header)
   * @param healthCheck the group's health-check settings in force
   * @param proxyProtocolV2 whether the group's {@code proxy_protocol_v2.enabled} attribute is on
   * @param members the registrations that can receive traffic, in registration order
   */
  public record Use(String loadBalancerResourceId, List<Zone> zones, String groupResourceId, int listenerPort,
      HealthCheck healthCheck, boolean proxyProtocolV2, List<Member> members) {
    /**
     * Copies the lists.
     *
     * @param loadBalancerResourceId the load balancer's resource id
     * @param zones the enabled zones
     * @param groupResourceId the group's resource id
     * @param listenerPort the lowest listener port forwarding to the group
     * @param healthCheck the settings in force
     * @param proxyProtocolV2 whether PROXY protocol v2 is on for the group
     * @param members the registrations
     */
    public Use {
      zones = List.copyOf(zones);
      members = List.copyOf(members);
    }
  }

  /**
   * One registration that can receive traffic.
   *
   * @param registrationId the registration's {@link RegisteredTarget#registrationId()}, what its
   *     health reports name
   * @param target the target as {@code describe-target-health} shows it (with its zone when known)
   * @param port the port traffic goes to (the group's unless the target names one)
   * @param zone the zone the target is in, or null (an ALB endpoint, or a target no zone contains)
   * @param addresses where checks connect: the target's address, or an ALB endpoint's current addresses
   *     (empty until it has one)
   * @param health the health the core holds for it
   * @param draining whether it is deregistered and draining
   * @param alb whether it is an ALB endpoint (its addresses change as the endpoint is re-resolved)
   */
  public record Member(long registrationId, Target target, int port, @Nullable String zone,
      List<InetSocketAddress> addresses, TargetHealth health, boolean draining, boolean alb) {
    /**
     * Copies the addresses.
     *
     * @param registrationId the registration id
     * @param target the target as described
     * @param port the port
     * @param zone the zone, or null
     * @param addresses where checks connect
     * @param health the health the core holds
     * @param draining whether it is draining
     * @param alb whether it is an ALB endpoint
     */
    public Member {
      addresses = List.copyOf(addresses);
    }
  }
}
