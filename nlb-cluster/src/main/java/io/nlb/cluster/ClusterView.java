package io.nlb.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the live members of a cluster publish, read without I/O: a watch keeps a local copy up to
 * date. A member is live while its lease is: when a node process dies, its entries leave the view
 * within the lease TTL. While etcd cannot be reached the view keeps its last content
 * ({@link #isCurrent()} says so); members cannot be seen to leave in that time.
 *
 * <p>A DNS server answers for a load balancer with the addresses of {@link #liveNodes()} whose
 * {@code loadBalancer} matches and that are {@code serving} (failing open to all of them when none
 * is).
 *
 * <p>Implementations are thread-safe; every method returns immutable values.
 *
 * @since 0.1
 */
public interface ClusterView {
  /** {@return every node address of every live member, in member-name order} */
  List<LiveNode> liveNodes();

  /**
   * The node addresses a DNS server answers with for one name: the live nodes of the load
   * balancer whose DNS name is {@code dnsName} (compared without case and without a trailing dot).
   * The caller keeps the {@code serving} ones, or all of them when none serves (fail open).
   *
   * @param dnsName a load balancer's DNS name, as asked
   * @return its live node addresses, in member-name order; empty when no live member runs it
   */
  default List<LiveNode> liveNodes(String dnsName) {
    String want = dnsName.endsWith(".") ? dnsName.substring(0, dnsName.length() - 1) : dnsName;
    List<LiveNode> out = new java.util.ArrayList<>();
    for (LiveNode n : liveNodes()) {
      if (n.dnsName().equalsIgnoreCase(want)) {
        out.add(n);
      }
    }
    return List.copyOf(out);
  }

  /** {@return the live members' published states, by node name, in name order} */
  Map<String, MemberState> members();

  /**
   * The cross-node verdict on one target under {@link HealthConsensus}'s rule.
   *
   * @param group the target group's name
   * @param target the target as {@code id:port}
   * @return whether it is healthy for routing; empty when no live member has a finished opinion
   */
  default Optional<Boolean> healthyForRouting(String group, String target) {
    HealthConsensus.Votes v = HealthConsensus.of(members().values()).get(new HealthConsensus.TargetRef(group, target));
    return v == null ? Optional.empty() : Optional.of(v.healthyForRouting());
  }

  /** {@return whether the view follows etcd now (false while etcd is unreachable: the content may be old)} */
  boolean isCurrent();
}
