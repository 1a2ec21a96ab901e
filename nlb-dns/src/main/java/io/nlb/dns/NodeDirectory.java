package io.nlb.dns;

import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Where the {@link DnsServer} reads the nodes of a load balancer from: DNS name to nodes.
 *
 * <p>The server calls {@link #nodes} once per query, on its event loop, so an implementation
 * must answer from memory without blocking. {@link #of(Nlb)} reads the load balancers of one
 * process; a cluster implementation answers from the state its live nodes publish.
 *
 * <pre>{@code
 * NodeDirectory fixed = name -> name.equals("web-0123456789abcdef.elb.local")
 *     ? Optional.of(List.of(new DnsNode("zone-a", List.of(addressA), NodeState.SERVING)))
 *     : Optional.empty();
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface NodeDirectory {
  /**
   * The nodes of the load balancer named {@code dnsName}, one per enabled zone in zone order.
   *
   * @param dnsName a DNS name in lower case, without the trailing dot
   * @return the nodes, or empty when no load balancer has that name (the server then answers
   *     NXDOMAIN)
   */
  Optional<List<DnsNode>> nodes(String dnsName);

  /**
   * The load balancers of {@code nlb}, each zone's node present: a zone is {@link
   * NodeState#SERVING} when the load balancer's {@link LoadBalancer#dnsRecords() DNS records}
   * include it, {@link NodeState#SHIFTED_AWAY} under a zonal shift, {@link NodeState#UNHEALTHY}
   * otherwise.
   *
   * @param nlb the control plane to read
   * @return a directory reading the latest routing snapshots (it lists the load balancers through
   *     {@link Nlb#loadBalancers()}, which waits for a running control-plane operation)
   */
  static NodeDirectory of(Nlb nlb) {
    return of(nlb, (lb, zone) -> true);
  }

  /**
   * As {@link #of(Nlb)}, with the nodes for which {@code present} is false {@link NodeState#GONE}
   * (a process that runs only some zones' nodes, say).
   *
   * @param nlb the control plane to read
   * @param present whether the node of (load balancer, zone) is present; called per query, so it
   *     must be fast and thread-safe
   * @return the directory
   */
  static NodeDirectory of(Nlb nlb, BiPredicate<LoadBalancer, String> present) {
    return new NlbNodeDirectory(nlb, present);
  }
}
