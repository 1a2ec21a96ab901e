package io.nlb.launcher;

import io.nlb.cluster.ClusterView;
import io.nlb.cluster.LiveNode;
import io.nlb.dns.DnsNode;
import io.nlb.dns.NodeDirectory;
import io.nlb.dns.NodeState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The DNS server's view of a cluster: which load balancers and zones exist comes from this
 * process's own configuration (every process runs the same shared configuration), and whether a
 * zone's node is there and may serve comes from what the live members publish in etcd. A zone no
 * live member runs is {@link NodeState#GONE}; one whose members all say it may not serve keeps
 * this process's reason ({@link NodeState#SHIFTED_AWAY}) or is {@link NodeState#UNHEALTHY}. Before
 * the process has joined (no view yet), the local directory answers alone.
 *
 * <p>Answers from memory: {@link ClusterView#liveNodes()} reads the members the node's watch
 * keeps. Thread-safe.
 */
final class ClusterNodeDirectory implements NodeDirectory {
  private final NodeDirectory local;
  private final Supplier<@Nullable ClusterView> view;

  ClusterNodeDirectory(NodeDirectory local, Supplier<@Nullable ClusterView> view) {
    this.local = local;
    this.view = view;
  }

  @Override
  public Optional<List<DnsNode>> nodes(String dnsName) {
    Optional<List<DnsNode>> mine = local.nodes(dnsName);
    ClusterView cluster = view.get();
    if (mine.isEmpty() || cluster == null) {
      return mine;
    }
    List<LiveNode> live = cluster.liveNodes(dnsName);
    List<DnsNode> out = new ArrayList<>(mine.get().size());
    for (DnsNode n : mine.get()) {
      boolean present = false;
      boolean serving = false;
      for (LiveNode l : live) {
        if (l.zone().equals(n.zone())) {
          present = true;
          serving |= l.serving();
        }
      }
      NodeState state;
      if (!present) {
        state = NodeState.GONE;
      } else if (serving) {
        state = NodeState.SERVING;
      } else {
        state = n.state() == NodeState.SHIFTED_AWAY ? NodeState.SHIFTED_AWAY : NodeState.UNHEALTHY;
      }
      out.add(new DnsNode(n.zone(), n.addresses(), state));
    }
    return Optional.of(List.copyOf(out));
  }
}
